package web

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"microlab/internal/humanize"
	"microlab/quiz"
	"microlab/store"
	"microlab/web/views"
)

// quizBuilder serves GET /quiz: the form that builds a quiz, with the
// topic of ?topic= ticked.
func (s *Server) quizBuilder(c echo.Context) error {
	v := views.QuizBuilder{Groups: s.topicGroups(true), Length: 10}
	if err := s.builderLearner(c, &v); err != nil {
		return err
	}
	if t := c.QueryParam("topic"); t != "" {
		if _, ok := s.catalog.Bank(t); !ok {
			return errorf(http.StatusBadRequest, "There is no quiz on “%s”. Pick topics from the list instead.", humanize.Truncate(t, maxSlugLen))
		}
		v.Selected = []string{t}
		v.Focus = s.topicTitle(t)
	}
	return s.showBuilder(c, http.StatusOK, v)
}

// builderLearner fills in what the builder shows of the learner: how many
// questions they have missed.
func (s *Server) builderLearner(c echo.Context, v *views.QuizBuilder) error {
	if id := s.learnerID(c); id != "" {
		missed, err := s.store.MissedQuestionIDs(c.Request().Context(), id, nil)
		if err != nil {
			return err
		}
		v.Missed = len(missed)
	}
	return nil
}

func (s *Server) showBuilder(c echo.Context, status int, v views.QuizBuilder) error {
	title := "Build a quiz"
	if v.Focus != "" {
		title = "Quiz: " + v.Focus
	}
	return s.render(c, status, views.QuizBuilderPage(s.frame(c, title, "Choose topics, length and difficulty, then answer one question at a time with an explanation for every option."), v))
}

// topicGroups lists the quiz topics by kind of page, in reading order.
// With merge, a subject with a bank on two pages of the same title (a
// guide and an interview question) is listed once, where it first
// appears, with the questions of both: the builder's list. Without, each
// page with a bank is a topic of its own: progress, which follows pages.
func (s *Server) topicGroups(merge bool) []views.TopicGroup {
	groups := make([]views.TopicGroup, len(views.LearnSections))
	type at struct{ group, topic int }
	seen := map[string]at{} // title → where it is listed
	for gi, sec := range views.LearnSections {
		groups[gi].Title = sec.Title
		for _, p := range s.content.Pages(sec.Kind) {
			b, ok := s.catalog.Bank(p.Slug)
			if !ok {
				continue
			}
			if w, ok := seen[p.Title]; ok && merge {
				t := &groups[w.group].Topics[w.topic]
				t.Slugs = append(t.Slugs, p.Slug)
				t.Questions += len(b.Questions)
				continue
			}
			seen[p.Title] = at{gi, len(groups[gi].Topics)}
			groups[gi].Topics = append(groups[gi].Topics, views.Topic{Slugs: []string{p.Slug}, Title: p.Title, Questions: len(b.Questions)})
		}
	}
	// A kind of page whose every subject is listed under another has
	// nothing of its own to show.
	return slices.DeleteFunc(groups, func(g views.TopicGroup) bool { return len(g.Topics) == 0 })
}

func (s *Server) topicTitle(slug string) string {
	if p, ok := s.content.BySlug(slug); ok {
		return p.Title
	}
	return slug
}

// createQuiz handles POST /quiz: it builds a quiz from the form and sends
// the learner to its first question.
func (s *Server) createQuiz(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return errorf(http.StatusBadRequest, "The form could not be read.")
	}
	if len(form["topic"]) > len(s.catalog.Topics()) {
		return errorf(http.StatusBadRequest, "Too many topics in the form.")
	}
	spec := quiz.Spec{Difficulty: quiz.Difficulty(form.Get("difficulty"))}
	for _, t := range form["topic"] {
		// A checkbox may tick several banks (views.Topic.Value).
		spec.Topics = append(spec.Topics, strings.Fields(t)...)
	}
	if len(spec.Topics) > len(s.catalog.Topics()) {
		return errorf(http.StatusBadRequest, "Too many topics in the form.")
	}
	if spec.Length, err = strconv.Atoi(form.Get("length")); err != nil {
		return errorf(http.StatusBadRequest, "Choose a length: 5, 10 or 20 questions.")
	}
	learner := s.ensureLearner(c)
	ctx := c.Request().Context()
	switch {
	case form.Get("retry") != "":
		q, err := s.store.Quiz(ctx, learner, form.Get("retry"))
		if err != nil {
			return s.quizError(err)
		}
		for i, a := range q.Answers {
			if !a.Correct {
				spec.OnlyIDs = append(spec.OnlyIDs, q.Items[i].QuestionID)
			}
		}
		if len(spec.OnlyIDs) == 0 {
			return errorf(http.StatusBadRequest, "You missed no question in that quiz, so there is nothing to retry.")
		}
		spec.Topics, spec.Difficulty, spec.Length = nil, "", 20
	case form.Get("missed") == "on":
		if spec.OnlyIDs, err = s.store.MissedQuestionIDs(ctx, learner, spec.Topics); err != nil {
			return err
		}
		if len(spec.OnlyIDs) == 0 {
			return errorf(http.StatusBadRequest, "You have not missed any question on these topics yet. Untick “only the ones I missed” to take a fresh quiz.")
		}
	}
	seed := newSeed()
	planned, err := quiz.Build(s.catalog, spec, seed)
	if err != nil {
		var se *quiz.SpecError
		if errors.As(err, &se) {
			return errorf(http.StatusBadRequest, "%s", asSentence(se.Reason))
		}
		return err
	}
	if len(planned) < spec.Length && len(spec.OnlyIDs) == 0 && form.Get("short") != "ok" {
		// Asked for more than the choice holds: say so before starting a
		// quiz shorter than the learner expects.
		v := views.QuizBuilder{
			Groups: s.topicGroups(true), Selected: spec.Topics, Length: spec.Length, Difficulty: spec.Difficulty,
			Short: shortQuizReason(spec, len(planned)), Available: len(planned),
		}
		if err := s.builderLearner(c, &v); err != nil {
			return err
		}
		return s.showBuilder(c, http.StatusUnprocessableEntity, v)
	}
	nq := quiz.NewAttempt{ID: randomHex(16), Spec: spec, Seed: seed} // 128 bits: unguessable
	for _, p := range planned {
		nq.Items = append(nq.Items, quiz.Item{QuestionID: p.Question.ID, Order: p.Order})
	}
	if err := s.store.CreateQuiz(ctx, learner, nq); err != nil {
		return s.quizError(err)
	}
	return c.Redirect(http.StatusSeeOther, "/quiz/"+nq.ID)
}

// shortQuizReason says that only n questions match spec, fewer than its
// length: "Only 1 hard question in these topics, not 20."
func shortQuizReason(spec quiz.Spec, n int) string {
	what := "question"
	if n != 1 {
		what = "questions"
	}
	if spec.Difficulty != "" {
		what = string(spec.Difficulty) + " " + what
	}
	where := "in all the topics"
	if len(spec.Topics) > 0 {
		where = "in these topics"
	}
	return fmt.Sprintf("Only %d %s %s, not %d.", n, what, where, spec.Length)
}

// newSeed draws a quiz seed from the token generator.
func newSeed() uint64 {
	var b [8]byte
	randomBytes(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// itemSeed is a seed for item i of a quiz that stays the same on every
// visit, for options that must be shuffled again after a bank edit.
func itemSeed(quizID string, i int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(quizID))
	return h.Sum64() + uint64(i)
}

// quizError turns a store error into what the learner is told.
func (s *Server) quizError(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errorf(http.StatusNotFound, "There is no such quiz, or it is not yours. Quizzes belong to the browser that started them.")
	case errors.Is(err, store.ErrInvalid):
		return errorf(http.StatusBadRequest, "That request does not fit this quiz.")
	}
	return err
}

// loadQuiz reads the learner's quiz named in the URL.
func (s *Server) loadQuiz(c echo.Context) (quiz.Attempt, error) {
	id := c.Param("id")
	learner := s.learnerID(c)
	if learner == "" || len(id) != 32 {
		return quiz.Attempt{}, s.quizError(store.ErrNotFound)
	}
	q, err := s.store.Quiz(c.Request().Context(), learner, id)
	if err != nil {
		return q, s.quizError(err)
	}
	return q, nil
}

// quizCurrent serves GET /quiz/{id}: the next unanswered question, or the
// result when there is none.
func (s *Server) quizCurrent(c echo.Context) error {
	q, err := s.loadQuiz(c)
	if err != nil {
		return err
	}
	if q.Finished() {
		return c.Redirect(http.StatusSeeOther, "/quiz/"+q.ID+"/result")
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/quiz/%s/q/%d", q.ID, len(q.Answers)+1))
}

// quizQuestion serves GET /quiz/{id}/q/{n}: question n as a form when it
// is the next to answer, with its feedback when it has been answered.
func (s *Server) quizQuestion(c echo.Context) error {
	quizID, learner := c.Param("id"), s.learnerID(c)
	n, err := strconv.Atoi(c.Param("n"))
	if learner == "" || len(quizID) != 32 || err != nil || n < 1 || n > maxQuizLength {
		return s.quizError(store.ErrNotFound)
	}
	iv, err := s.store.QuizItem(c.Request().Context(), learner, quizID, n-1)
	if err != nil {
		return s.quizError(err)
	}
	if n > iv.Answered+1 {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/quiz/%s/q/%d", quizID, iv.Answered+1))
	}
	return s.renderQuestion(c, http.StatusOK, quizID, n-1, iv, "")
}

// renderQuestion shows item i of the quiz: the form, or the feedback when
// it has an answer; notice, when set, is shown above it.
func (s *Server) renderQuestion(c echo.Context, status int, quizID string, i int, iv quiz.ItemView, notice string) error {
	v, err := s.questionView(quizID, i, iv)
	if err != nil {
		return err
	}
	if iv.Answer == nil && !slices.Equal(v.Order, iv.Order) {
		// The bank changed the question since the quiz was stored: keep
		// the order shown, so that the answer it posts fits the item.
		// The page can show the question without it; should the write fail,
		// its answer is refused with a 400 that says so, not this page.
		err := s.store.RefitOrder(c.Request().Context(), s.learnerID(c), quizID, i, v.Order)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("keeping a refitted option order", "quiz", quizID, "item", i, "err", err)
		}
	}
	v.Notice = notice
	return s.showQuestion(c, status, v)
}

// showQuestion writes the question v: the card alone, with its title, to
// htmx, and the whole page otherwise.
func (s *Server) showQuestion(c echo.Context, status int, v views.QuizQuestion) error {
	v.CSRF = csrfToken(c)
	if wantsFragment(c.Request()) {
		c.Response().Header().Set("HX-Push-Url", v.URL)
		return s.render(c, status, views.QuizCardSwap(v))
	}
	return s.render(c, status, views.QuizQuestionPage(s.frame(c, v.Title(), ""), v))
}

func (s *Server) questionView(quizID string, i int, iv quiz.ItemView) (views.QuizQuestion, error) {
	question, ok := s.catalog.Question(iv.QuestionID)
	if !ok {
		return views.QuizQuestion{}, fmt.Errorf("quiz %s: question %s is no longer in the catalog", quizID, iv.QuestionID)
	}
	v := views.QuizQuestion{
		QuizID: quizID, N: i + 1, Total: iv.Total, Answered: iv.Answered,
		URL: fmt.Sprintf("/quiz/%s/q/%d", quizID, i+1), Question: question,
		Order:      quiz.Presented(question, iv.Order, itemSeed(quizID, i)),
		TopicTitle: s.topicTitle(question.Topic),
	}
	if question.Scenario != "" {
		v.LabURL = "/lab/" + question.Scenario
	}
	if iv.Answer != nil {
		res := quiz.Grade(question, quiz.Answer{Choices: iv.Answer.Choices})
		v.Result = &res
	}
	return v, nil
}

// answerQuiz handles POST /quiz/{id}/answer. The answer is graded and
// committed, in its own transaction, before the response; a second answer
// to the same question is refused and the first stands. The store checks
// ownership, order and that the question is the item's, so the common
// path reads nothing before it writes.
func (s *Server) answerQuiz(c echo.Context) error {
	quizID, learner := c.Param("id"), s.learnerID(c)
	if learner == "" || len(quizID) != 32 {
		return s.quizError(store.ErrNotFound)
	}
	form, err := c.FormParams()
	if err != nil {
		return errorf(http.StatusBadRequest, "The answer could not be read.")
	}
	n, err := strconv.Atoi(form.Get("n"))
	if err != nil || n < 1 || n > maxQuizLength {
		return errorf(http.StatusBadRequest, "That answer names no question of this quiz.")
	}
	question, ok := s.catalog.Question(form.Get("question"))
	if !ok {
		return errorf(http.StatusBadRequest, "That answer is for a question that is not in this quiz.")
	}
	ans, err := parseAnswer(question, form)
	if err != nil {
		return s.refuseAnswer(c, learner, quizID, n-1, question, form, err)
	}
	res := quiz.Grade(question, ans)
	rec := quiz.AnswerRecord{QuestionID: question.ID, Choices: ans.Choices, Score: res.Score, Correct: res.Correct}
	ctx := c.Request().Context()
	err = s.store.SaveAnswer(ctx, learner, quizID, n-1, rec)
	var already *store.AlreadyAnsweredError
	switch {
	case err == nil:
	case errors.As(err, &already):
		q, err := s.loadQuiz(c)
		if err != nil {
			return err
		}
		return s.renderQuestion(c, http.StatusConflict, q.ID, n-1, q.ItemView(n-1), "You had already answered this question. Your first answer stands; here it is.")
	case errors.Is(err, store.ErrOutOfOrder):
		q, err := s.loadQuiz(c)
		if err != nil {
			return err
		}
		return errorf(http.StatusConflict, "Answer the questions in order: question %d comes first.", len(q.Answers)+1)
	case errors.Is(err, store.ErrInvalid):
		return errorf(http.StatusBadRequest, "That answer is for a question that is not question %d of this quiz.", n)
	case errors.Is(err, store.ErrNotFound):
		// Either the quiz is not this learner's, or it has no question n.
		q, lerr := s.loadQuiz(c)
		if lerr != nil {
			return lerr
		}
		return errorf(http.StatusBadRequest, "This quiz has questions 1 to %d; there is no question %d.", len(q.Items), n)
	default:
		return err
	}
	if !res.Correct {
		if err := s.lapse(ctx, learner, question); err != nil {
			return err
		}
	}
	if wantsFragment(c.Request()) {
		iv, err := s.store.QuizItem(ctx, learner, quizID, n-1)
		if err != nil {
			return s.quizError(err)
		}
		return s.renderQuestion(c, http.StatusOK, quizID, n-1, iv, "")
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/quiz/%s/q/%d", quizID, n))
}

// refuseAnswer answers a form that parseAnswer refused (err): with the
// question again, its form keeping what was chosen and the reason above
// it, so that the learner can mend the answer in place, with or without
// JavaScript. When the item is not one the form can be shown for (already
// answered, or not that question), the bare error stands.
func (s *Server) refuseAnswer(c echo.Context, learner, quizID string, i int, question quiz.Question, form url.Values, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	iv, ierr := s.store.QuizItem(c.Request().Context(), learner, quizID, i)
	if ierr != nil {
		return s.quizError(ierr)
	}
	if iv.Answer != nil || iv.QuestionID != question.ID || i > iv.Answered {
		return err
	}
	v, verr := s.questionView(quizID, i, iv)
	if verr != nil {
		return verr
	}
	v.Problem = e.Message
	v.Picked, v.Positions = keptChoices(question, form)
	return s.showQuestion(c, e.Status, v)
}

// keptChoices reads back what a refused form chose, leaving out whatever
// does not name an option or a position of question.
func keptChoices(q quiz.Question, form url.Values) (picked []int, positions map[int]int) {
	if q.Type == quiz.TypeOrdering {
		positions = map[int]int{}
		for opt := range q.Options {
			if p, err := strconv.Atoi(form.Get("pos-" + strconv.Itoa(opt))); err == nil && p >= 1 && p <= len(q.Options) {
				positions[opt] = p
			}
		}
		return nil, positions
	}
	for _, r := range form["choice"] {
		if v, err := strconv.Atoi(r); err == nil && v >= 0 && v < len(q.Options) && !slices.Contains(picked, v) {
			picked = append(picked, v)
		}
	}
	return picked, nil
}

// maxQuizLength is the longest quiz there is.
const maxQuizLength = 20

// parseAnswer reads the form's choices for question and checks them; the
// message says what is wrong in terms of the question.
func parseAnswer(q quiz.Question, form url.Values) (quiz.Answer, error) {
	var a quiz.Answer
	if q.Type == quiz.TypeOrdering {
		// pos-{option} = 1-based position the learner gave that option.
		order := make([]int, len(q.Options))
		for i := range order {
			order[i] = -1
		}
		for opt := range q.Options {
			p, err := strconv.Atoi(form.Get("pos-" + strconv.Itoa(opt)))
			if err != nil || p < 1 || p > len(q.Options) {
				return a, errorf(http.StatusBadRequest, "Give every item a position from 1 to %d.", len(q.Options))
			}
			if order[p-1] != -1 {
				return a, errorf(http.StatusBadRequest, "Two items share position %d: give each item its own position.", p)
			}
			order[p-1] = opt
		}
		a.Choices = order
	} else {
		raw := form["choice"]
		if len(raw) > len(q.Options) {
			return a, errorf(http.StatusBadRequest, "Too many choices for this question.")
		}
		for _, r := range raw {
			v, err := strconv.Atoi(r)
			if err != nil || v < 0 || v >= len(q.Options) {
				return a, errorf(http.StatusBadRequest, "Option “%s” does not exist in this question.", humanize.Truncate(r, 10))
			}
			if slices.Contains(a.Choices, v) {
				return a, errorf(http.StatusBadRequest, "The same option was chosen twice.")
			}
			a.Choices = append(a.Choices, v)
		}
		slices.Sort(a.Choices)
	}
	if err := quiz.ValidateAnswer(q, a); err != nil {
		var ae *quiz.AnswerError
		if errors.As(err, &ae) {
			return a, errorf(http.StatusBadRequest, "%s", asSentence(ae.Reason))
		}
		return a, errorf(http.StatusBadRequest, "That answer does not fit the question.")
	}
	return a, nil
}

// quizResult serves GET /quiz/{id}/result.
func (s *Server) quizResult(c echo.Context) error {
	q, err := s.loadQuiz(c)
	if err != nil {
		return err
	}
	if !q.Finished() {
		return c.Redirect(http.StatusSeeOther, "/quiz/"+q.ID)
	}
	if wantsFragment(c.Request()) {
		// A page of its own, never a card: a page from before the result
		// became a plain link would otherwise nest a whole page in it.
		c.Response().Header().Set("HX-Redirect", "/quiz/"+q.ID+"/result")
		return c.NoContent(http.StatusOK)
	}
	v := views.QuizResult{QuizID: q.ID}
	for i := range q.Items {
		qv, err := s.questionView(q.ID, i, q.ItemView(i))
		if err != nil {
			return err
		}
		v.Questions = append(v.Questions, qv)
		v.Score += qv.Result.Score
		if !qv.Result.Correct {
			v.Missed++
		}
	}
	v.Total = len(q.Items)
	return s.page(c, views.QuizResultPage(s.frame(c, "Quiz result", ""), v))
}

// lapse records a wrong quiz answer on question as an Again rating of the
// flashcards that test it (their quiz field) and of the topic's explain-
// aloud card, when it has one: the quiz feeds the review schedule. Only
// cards the learner has studied are touched, so a miss never introduces a
// new card past the day's limit. Right answers leave the schedule alone,
// so a quiz never pushes a card further out than its own reviews would.
func (s *Server) lapse(ctx context.Context, learner string, question quiz.Question) error {
	ids := slices.Clone(s.cardsByQuestion[question.ID])
	if fc, ok := s.cardByID(question.Topic); ok && fc.Aloud {
		ids = append(ids, fc.ID)
	}
	_, err := s.lapseCards(ctx, learner, ids)
	return err
}

// lapseCards rates Again each of the cards the learner has studied, and
// returns the others: new cards, which have no schedule to bring forward.
func (s *Server) lapseCards(ctx context.Context, learner string, ids []string) (fresh []string, err error) {
	now := s.now()
	for _, id := range ids {
		card, ok, err := s.store.Card(ctx, learner, id)
		if err != nil {
			return nil, err
		}
		if !ok || card.Reps == 0 {
			fresh = append(fresh, id)
			continue
		}
		// A review is one a millisecond (the store's grain): a miss in the
		// millisecond of the card's last rating counts just after it.
		at := now
		if !at.After(card.LastReview) {
			at = card.LastReview.Add(time.Millisecond)
		}
		next, log := s.scheduler.Review(card, quiz.Again, at)
		if err := s.store.SaveReview(ctx, learner, id, next, log); err != nil && !errors.Is(err, store.ErrAlreadyAnswered) {
			return nil, err
		}
	}
	return fresh, nil
}
