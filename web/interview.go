package web

import (
	"cmp"
	"context"
	"errors"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"microlab/content"
	"microlab/internal/humanize"
	"microlab/interview"
	"microlab/store"
	"microlab/web/views"
)

// The mock interview (/interview): a session of spoken questions, each with
// a countdown kept by the server, then a rubric the learner marks. Missed
// points bring their flashcards forward in review. The session lives in
// the store, so a reload or a restart resumes it where it was.

// Lengths of the formats.
const (
	screenQuestions = 3
	roundQuestions  = 6 // plus one design question
	topicRelated    = 2 // questions besides the chosen page's own
	shortSpeaking   = 2 * time.Minute
	// historySessions is how many past sessions the most-missed points are
	// counted over.
	historySessions = 100
)

// buildRubrics makes what every askable question is marked against: the
// interview question pages, the pattern pages (asked to be explained) and
// the design prompts, keyed by ref.
func (s *Server) buildRubrics() map[string]*views.Rubric {
	out := map[string]*views.Rubric{}
	for _, p := range s.content.All() {
		if len(p.KeyPoints) == 0 {
			continue
		}
		r := &views.Rubric{Page: p, Speaking: shortSpeaking, FollowUps: p.FollowUps, Strong: p.StrongHTML}
		switch p.Kind {
		case content.KindQuestion:
			r.Ref, r.Prompt = interview.RefQuestion+":"+p.Slug, p.Question
		case content.KindPattern:
			r.Ref = interview.RefPattern + ":" + p.Slug
			r.Prompt = "Explain " + lowerFirst(p.Title) + ": the problem it solves, how it works in a system like the shop, and what it costs."
		default:
			continue
		}
		for i, html := range p.KeyPointsHTML {
			pt := views.RubricPoint{HTML: html, Text: p.KeyPoints[i]}
			for _, fc := range s.cards {
				if fc.Deck == p.Slug && slices.Contains(fc.Points, i+1) {
					pt.Cards = append(pt.Cards, fc.ID)
					if pt.Section == "" && fc.Section != "" {
						pt.Section = p.URL + "#" + fc.Section
					}
				}
			}
			if pt.Section == "" {
				pt.Section = p.URL
			}
			r.Points = append(r.Points, pt)
		}
		out[r.Ref] = r
	}
	for _, d := range s.designs {
		r := &views.Rubric{Ref: interview.RefDesign + ":" + d.ID, Prompt: d.Prompt, Speaking: d.Speaking,
			FollowUps: d.FollowUps, Strong: d.StrongHTML, Design: true}
		for _, pt := range d.Points {
			rp := views.RubricPoint{HTML: pt.HTML, Text: pt.Text, Section: pt.URL(s.content)}
			for _, fc := range s.cards {
				if fc.Deck == pt.Page && fc.Section == pt.Section {
					rp.Cards = append(rp.Cards, fc.ID)
				}
			}
			r.Points = append(r.Points, rp)
		}
		out[r.Ref] = r
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// interviewIndex serves GET /interview: the formats, the learner's past
// sessions and the points they miss most.
func (s *Server) interviewIndex(c echo.Context) error {
	v := views.InterviewIndex{Topics: s.interviewTopics(), Zone: learnerZone(c)}
	if id := s.learnerID(c); id != "" {
		past, err := s.store.Interviews(c.Request().Context(), id, historySessions)
		if err != nil {
			return err
		}
		v.History = s.sessionSummaries(past, 20)
		v.Missed = s.mostMissed(past, 5)
	}
	return s.page(c, views.InterviewIndexPage(s.interviewFrame(c, "Mock interview", "Answer interview questions aloud against the clock, then mark yourself against each question's key points."), v))
}

// interviewTopics are the pages a topic session can be on.
func (s *Server) interviewTopics() []views.InterviewTopic {
	var out []views.InterviewTopic
	for _, k := range []content.Kind{content.KindQuestion, content.KindPattern} {
		for _, p := range s.content.Pages(k) {
			if len(p.KeyPoints) > 0 {
				out = append(out, views.InterviewTopic{Slug: p.Slug, Title: p.Title, Kind: k})
			}
		}
	}
	return out
}

// createInterview serves POST /interview: plan a session and go to its
// first question.
func (s *Server) createInterview(c echo.Context) error {
	format, topic := c.FormValue("format"), c.FormValue("topic")
	if format != interview.FormatTopic {
		topic = ""
	}
	switch format {
	case interview.FormatScreen, interview.FormatRound:
	case interview.FormatTopic:
		if p, ok := s.content.BySlug(topic); !ok || len(p.KeyPoints) == 0 {
			return errorf(http.StatusBadRequest, "There is no interview topic “%s”. Pick one from the list.", humanize.Truncate(topic, maxSlugLen))
		}
	default:
		return errorf(http.StatusBadRequest, "Choose a format: the 10-minute screen, the 30-minute round or one topic.")
	}
	learner := s.ensureLearner(c)
	ctx := c.Request().Context()
	past, err := s.store.Interviews(ctx, learner, historySessions)
	if err != nil {
		return err
	}
	sess := interview.Session{ID: randomHex(16), Format: format, Topic: topic, CreatedAt: s.now()}
	sess.Questions = s.planInterview(format, topic, past, seedOf(sess.ID))
	if err := s.store.CreateInterview(ctx, learner, sess); err != nil {
		return s.interviewError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/interview/"+sess.ID)
}

// planInterview picks a session's questions: those the learner has
// practised least first, ties in an order drawn from seed; a follow-up
// drawn for each that has some.
func (s *Server) planInterview(format, topic string, past []interview.Session, seed uint64) []interview.Question {
	practised := map[string]int{}
	for _, ps := range past {
		for _, q := range ps.Questions {
			if q.Ticks != "" {
				practised[q.Ref]++
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, seed>>1|1))
	pick := func(refs []string, n int) []string {
		rng.Shuffle(len(refs), func(i, j int) { refs[i], refs[j] = refs[j], refs[i] })
		slices.SortStableFunc(refs, func(a, b string) int { return cmp.Compare(practised[a], practised[b]) })
		return refs[:min(n, len(refs))]
	}
	var questions, designs []string
	for ref, r := range s.rubrics {
		switch {
		case r.Design:
			designs = append(designs, ref)
		case r.Page.Kind == content.KindQuestion:
			questions = append(questions, ref)
		}
	}
	slices.Sort(questions) // map order is random; the seed alone must decide
	slices.Sort(designs)
	var refs []string
	switch format {
	case interview.FormatScreen:
		refs = pick(questions, screenQuestions)
	case interview.FormatRound:
		refs = pick(questions, roundQuestions)
		refs = append(refs, pick(designs, 1)...)
	case interview.FormatTopic:
		p, _ := s.content.BySlug(topic)
		own := interview.RefPattern + ":" + p.Slug
		if p.Kind == content.KindQuestion {
			own = interview.RefQuestion + ":" + p.Slug
		}
		refs = []string{own}
		var related []string
		for _, rp := range s.content.Related(p) {
			if ref := interview.RefQuestion + ":" + rp.Slug; s.rubrics[ref] != nil {
				related = append(related, ref)
			}
		}
		refs = append(refs, pick(related, topicRelated)...)
	}
	out := make([]interview.Question, len(refs))
	for i, ref := range refs {
		r := s.rubrics[ref]
		out[i] = interview.Question{Ref: ref, Speaking: r.Speaking, FollowUp: -1}
		if n := len(r.FollowUps); n > 0 {
			out[i].FollowUp = rng.IntN(n)
		}
	}
	return out
}

// seedOf turns a session id into a seed, so its plan can be told from it.
func seedOf(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// loadInterview reads the learner's session named in the path.
func (s *Server) loadInterview(c echo.Context) (string, interview.Session, []int64, error) {
	learner := s.learnerID(c)
	if learner == "" {
		return "", interview.Session{}, nil, s.interviewError(store.ErrNotFound)
	}
	sess, versions, err := s.store.Interview(c.Request().Context(), learner, c.Param("id"))
	if err != nil {
		return "", sess, nil, s.interviewError(err)
	}
	for _, q := range sess.Questions {
		if s.rubrics[q.Ref] == nil {
			// A question withdrawn from the site since: the session
			// cannot go on, but its result still shows.
			return learner, sess, versions, errorf(http.StatusGone, "A question of this interview is no longer on the site. Start a new interview.")
		}
	}
	return learner, sess, versions, nil
}

// interviewCurrent serves GET /interview/{id}: the question the session is
// at, in its phase. Showing a question for the first time starts its
// countdown, at the server's time.
func (s *Server) interviewCurrent(c echo.Context) error {
	learner, sess, versions, err := s.loadInterview(c)
	if err != nil {
		return err
	}
	i := sess.Current()
	if i < 0 {
		return c.Redirect(http.StatusSeeOther, "/interview/"+sess.ID+"/result")
	}
	if sess.Questions[i].Phase() == interview.PhaseWaiting {
		sess.Start(i, s.now())
		if err := s.store.UpdateInterview(c.Request().Context(), learner, sess, i, versions[i]); err != nil {
			if !errors.Is(err, store.ErrAlreadyAnswered) {
				return s.interviewError(err)
			}
			// Another tab started it first: show its start.
			if _, sess, _, err = s.loadInterview(c); err != nil {
				return err
			}
		}
	}
	return s.renderInterviewQuestion(c, http.StatusOK, sess, i, "", "")
}

func (s *Server) renderInterviewQuestion(c echo.Context, status int, sess interview.Session, i int, notes, problem string) error {
	q := sess.Questions[i]
	if problem == "" {
		notes = q.Notes
	}
	v := views.InterviewQuestion{
		Session: sess, Index: i, Question: q, Rubric: s.rubrics[q.Ref], Now: s.now(),
		Notes: notes, Problem: problem, Zone: learnerZone(c),
	}
	f := s.interviewFrame(c, "Question "+strconv.Itoa(i+1)+" of "+strconv.Itoa(len(sess.Questions))+" · Mock interview", "")
	return s.render(c, status, views.InterviewQuestionPage(f, v))
}

// interviewForm reads the learner's session a form posts to, and the
// question it is at. A form made for another question (a second tab, the
// back button) has i < 0: the caller sends the browser back to where the
// session is.
func (s *Server) interviewForm(c echo.Context) (learner string, sess interview.Session, version int64, i int, err error) {
	learner, sess, versions, err := s.loadInterview(c)
	if err != nil {
		return "", sess, 0, -1, err
	}
	i = sess.Current()
	if pos, err := strconv.Atoi(c.FormValue("pos")); err != nil || i < 0 || pos != i {
		return learner, sess, 0, -1, nil
	}
	return learner, sess, versions[i], i, nil
}

// interviewDone serves POST /interview/{id}/done: the learner has finished
// speaking, or the countdown ran out; the notes are kept.
func (s *Server) interviewDone(c echo.Context) error {
	learner, sess, version, i, err := s.interviewForm(c)
	if err != nil {
		return err
	}
	if i < 0 {
		return c.Redirect(http.StatusSeeOther, "/interview/"+sess.ID)
	}
	notes := c.FormValue("notes")
	if err := sess.Done(i, notes, s.now()); err != nil {
		if errors.Is(err, interview.ErrPhase) {
			return c.Redirect(http.StatusSeeOther, "/interview/"+sess.ID)
		}
		return s.renderInterviewQuestion(c, http.StatusBadRequest, sess, i, trimNotes(notes), asSentence(err.Error()))
	}
	if err := s.store.UpdateInterview(c.Request().Context(), learner, sess, i, version); err != nil && !errors.Is(err, store.ErrAlreadyAnswered) {
		return s.interviewError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/interview/"+sess.ID)
}

// trimNotes cuts refused notes to what may be kept, so the form that says
// they are too long can show them back without holding more.
func trimNotes(notes string) string {
	r := []rune(notes)
	return string(r[:min(len(r), interview.MaxNotes)])
}

// interviewRate serves POST /interview/{id}/rate: the learner's marks, one
// per key point. Missed points bring their flashcards forward.
func (s *Server) interviewRate(c echo.Context) error {
	learner, sess, version, i, err := s.interviewForm(c)
	if err != nil {
		return err
	}
	if i < 0 {
		return c.Redirect(http.StatusSeeOther, "/interview/"+sess.ID)
	}
	r := s.rubrics[sess.Questions[i].Ref]
	ticks := make([]byte, len(r.Points))
	for k := range r.Points {
		v := c.FormValue("p" + strconv.Itoa(k))
		if len(v) != 1 || v[0] < interview.TickMissed || v[0] > interview.TickCovered {
			return s.renderInterviewQuestion(c, http.StatusBadRequest, sess, i, "",
				"Mark point "+strconv.Itoa(k+1)+" as covered, partly or missed: every point needs a mark.")
		}
		ticks[k] = v[0]
	}
	if err := sess.Rate(i, string(ticks), len(r.Points), s.now()); err != nil {
		if errors.Is(err, interview.ErrPhase) {
			return c.Redirect(http.StatusSeeOther, "/interview/"+sess.ID)
		}
		return errorf(http.StatusBadRequest, "%s", asSentence(err.Error()))
	}
	ctx := c.Request().Context()
	if err := s.store.UpdateInterview(ctx, learner, sess, i, version); err != nil {
		if errors.Is(err, store.ErrAlreadyAnswered) {
			return c.Redirect(http.StatusSeeOther, "/interview/"+sess.ID)
		}
		return s.interviewError(err)
	}
	if err := s.feedReview(ctx, learner, r, string(ticks)); err != nil {
		return err
	}
	if sess.Current() < 0 {
		return c.Redirect(http.StatusSeeOther, "/interview/"+sess.ID+"/result")
	}
	return c.Redirect(http.StatusSeeOther, "/interview/"+sess.ID)
}

// feedReview brings forward the flashcards of the points marked missed:
// a studied card is rated Again, as a wrong quiz answer does; a new card
// goes to the front of the new cards. A question page's explain-aloud card
// comes back too when any point was missed.
func (s *Server) feedReview(ctx context.Context, learner string, r *views.Rubric, ticks string) error {
	var ids []string
	for k := 0; k < len(ticks); k++ {
		if ticks[k] == interview.TickMissed {
			ids = append(ids, r.Points[k].Cards...)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if !r.Design && r.Page.Kind == content.KindQuestion {
		ids = append(ids, r.Page.Slug)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	fresh, err := s.lapseCards(ctx, learner, ids)
	if err != nil {
		return err
	}
	return s.store.BoostCards(ctx, learner, fresh)
}

// interviewResult serves GET /interview/{id}/result: the score of each
// question and of the session, the time used, and the points the learner
// misses most across sessions.
func (s *Server) interviewResult(c echo.Context) error {
	learner, sess, _, err := s.loadInterview(c)
	if err != nil && !errorIs(err, http.StatusGone) {
		return err
	}
	past, err := s.store.Interviews(c.Request().Context(), learner, historySessions)
	if err != nil {
		return err
	}
	v := views.InterviewResult{Session: sess, Rubrics: s.rubrics, Missed: s.mostMissed(past, 5), Zone: learnerZone(c)}
	return s.page(c, views.InterviewResultPage(s.interviewFrame(c, "Interview result", ""), v))
}

// interviewFrame is the frame of the interview's pages: their stylesheet,
// and no htmx, which they do not use.
func (s *Server) interviewFrame(c echo.Context, title, description string) views.Frame {
	f := s.frame(c, title, description)
	f.Styles = []string{"css/interview.css"}
	f.NoHTMX = true
	return f
}

// errorIs reports whether err is an *Error with the status.
func errorIs(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// sessionSummaries lists up to n sessions for the history.
func (s *Server) sessionSummaries(past []interview.Session, n int) []views.InterviewSummary {
	var out []views.InterviewSummary
	for _, ps := range past[:min(n, len(past))] {
		sum := views.InterviewSummary{ID: ps.ID, Format: ps.Format, CreatedAt: ps.CreatedAt, Questions: len(ps.Questions), Finished: !ps.FinishedAt.IsZero()}
		if p, ok := s.content.BySlug(ps.Topic); ok {
			sum.Topic = p.Title
		}
		sum.Score, sum.Marked = ps.Score()
		out = append(out, sum)
	}
	return out
}

// mostMissed counts, over the sessions, how often each key point was
// marked missed (a partly covered point counts half), and returns the n
// most missed with where they are taught.
func (s *Server) mostMissed(past []interview.Session, n int) []views.MissedPoint {
	type key struct {
		ref string
		k   int
	}
	score := map[key]int{} // in halves
	for _, ps := range past {
		for _, q := range ps.Questions {
			r := s.rubrics[q.Ref]
			if r == nil || len(q.Ticks) != len(r.Points) {
				continue // withdrawn, or its rubric changed since
			}
			for k := 0; k < len(q.Ticks); k++ {
				score[key{q.Ref, k}] += int(interview.TickCovered - q.Ticks[k])
			}
		}
	}
	keys := make([]key, 0, len(score))
	for k, v := range score {
		if v > 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(score[b], score[a]), cmp.Compare(a.ref, b.ref), cmp.Compare(a.k, b.k))
	})
	var out []views.MissedPoint
	for _, k := range keys[:min(n, len(keys))] {
		r := s.rubrics[k.ref]
		out = append(out, views.MissedPoint{Point: r.Points[k.k], Prompt: r.Prompt, Times: float64(score[k]) / 2})
	}
	return out
}

func (s *Server) interviewError(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errorf(http.StatusNotFound, "There is no such interview, or it is not yours. Interviews belong to the browser that started them.")
	case errors.Is(err, store.ErrFull):
		return errorf(http.StatusConflict, "You hold as many interviews as one learner may (%d). Delete your data on the progress page to start afresh.", store.MaxInterviews)
	case errors.Is(err, store.ErrInvalid):
		return errorf(http.StatusBadRequest, "That request does not fit this interview.")
	case errors.Is(err, store.ErrRevoked):
		return errorf(http.StatusConflict, "This browser's data was deleted. Reload the page to start afresh.")
	}
	return err
}
