package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"microlab/internal/humanize"
	"microlab/internal/window"
	"microlab/quiz"
	"microlab/simulator"
	"microlab/store"
	"microlab/web/views"
)

// memoryTargetDays is the stability at which a flashcard counts as fully
// learnt on the progress page.
const memoryTargetDays = 21

// How many files one learner, and one client address, may import unless
// Config says otherwise: a few a minute each, and a hundred a day for an
// address. Each file a learner never held before adds its rows (about
// 1.5 MB for a 1 MB file), and learners cost nothing to make, so the day's
// bound is what bounds the disk one address can fill through imports.
const (
	importsPerLearner    = 3
	importsPerAddress    = 10
	importsPerAddressDay = 100
)

// importRate is one of the bounds on imports, with the words that refuse.
type importRate struct {
	limit   *window.Limit
	key     string
	refusal string
}

func (s *Server) importRates(learner, addr string) []importRate {
	rates := []importRate{
		{s.importsByAddress, addr, fmt.Sprintf("Your network imported %d files in the last minute, the most one address may. Wait a minute and try again; nothing was changed.", s.cfg.ImportsPerAddress)},
		{s.importsByAddressDay, addr, fmt.Sprintf("Your network imported %d files today, the most one address may in a day. Try again tomorrow; nothing was changed.", s.cfg.ImportsPerAddressDay)},
	}
	if learner != "" {
		rates = append(rates, importRate{s.importsByLearner, learner, fmt.Sprintf("You imported %d files in the last minute, the most one may. Wait a minute and try again; nothing was changed.", s.cfg.ImportsPerLearner)})
	}
	return rates
}

// importSpent refuses an import that a rate would refuse, before the file
// is read: reading and checking a large file costs the CPU a few
// milliseconds, and a client that loops must not get them for free.
func (s *Server) importSpent(learner, addr string) error {
	now := time.Now()
	for _, r := range s.importRates(learner, addr) {
		if r.limit.Spent(r.key, now) {
			return errorf(http.StatusTooManyRequests, "%s", r.refusal)
		}
	}
	return nil
}

// allowImport counts an import against every rate, or refuses it past one.
// Only files good enough to be written count: a write holds the
// database's one writer, a refused file does not, and a learner fixing a
// file should not wait for it.
func (s *Server) allowImport(learner, addr string) error {
	now := time.Now()
	for _, r := range s.importRates(learner, addr) {
		if !r.limit.Allow(r.key, now) {
			return errorf(http.StatusTooManyRequests, "%s", r.refusal)
		}
	}
	return nil
}

// maxImport bounds an uploaded export file.
const maxImport = 1 << 20

// progressData gathers what the progress page and the home summary show.
func (s *Server) progressData(c echo.Context) (views.Progress, error) {
	v := views.Progress{Cards: len(s.cards)}
	now := s.now()
	q, err := s.queue(c, now)
	if err != nil {
		return v, err
	}
	v.Due = len(q.reviews) + len(q.fresh)
	learner := s.learnerID(c)
	stats := map[string]quiz.TopicStat{}
	cards := map[string]quiz.Card{}
	bests := map[string]store.ChallengeRun{}
	if learner != "" {
		ctx := c.Request().Context()
		if stats, err = s.store.TopicStats(ctx, learner); err != nil {
			return v, err
		}
		if cards, err = s.store.Cards(ctx, learner); err != nil {
			return v, err
		}
		if v.Attempts, err = s.store.Attempts(ctx, learner, 50); err != nil {
			return v, err
		}
		sessions, err := s.store.Interviews(ctx, learner, 10)
		if err != nil {
			return v, err
		}
		v.Interviews, v.Zone = s.sessionSummaries(sessions, 10), learnerZone(c)
		if bests, err = s.store.ChallengeBests(ctx, learner); err != nil {
			return v, err
		}
	}
	for _, ch := range simulator.Challenges() {
		it := views.ChallengeItem{Challenge: ch, PatternTitle: s.pageTitle(ch.Pattern)}
		if b, ok := bests[ch.Slug]; ok {
			it.Best = &b
		}
		v.Challenges = append(v.Challenges, it)
	}
	for _, g := range s.topicGroups(false) {
		for _, t := range g.Topics {
			m := views.Mastery{Topic: t, Group: g.Title}
			if st, ok := stats[t.Slug()]; ok && st.Answered > 0 {
				m.Answered, m.QuizScore = st.Answered, st.ScoreSum/float64(st.Answered)
			}
			// A topic's memory is over all its cards: each counts for how
			// close its stability is to the target, an unstudied one for 0.
			var studied, total int
			var stability, memory float64
			for _, fc := range s.cards {
				if fc.Deck != t.Slug() {
					continue
				}
				total++
				if card, ok := cards[fc.ID]; ok && card.Reps > 0 {
					studied++
					stability += card.Stability
					memory += min(1, card.Stability/memoryTargetDays)
				}
			}
			if studied > 0 {
				m.Reviewed = true
				m.StableDays = stability / float64(studied)
				m.Memory = memory / float64(total)
			}
			m.Level = m.ComputeLevel()
			v.Topics = append(v.Topics, m)
			if m.Answered > 0 || m.Reviewed {
				v.Started++
			}
		}
	}
	return v, nil
}

func (s *Server) progress(c echo.Context) error {
	v, err := s.progressData(c)
	if err != nil {
		return err
	}
	v.CSRF = csrfToken(c)
	v.Flash = flashMessages[c.QueryParam("done")]
	return s.page(c, views.ProgressPage(s.frame(c, "Progress", "Your mastery per topic, the cards due and your quiz history."), v))
}

// flashMessages are the outcomes the progress page can report after a
// redirect, keyed by a fixed word so nothing from the URL is echoed.
var flashMessages = map[string]string{
	"deleted":  "Your data has been deleted: quizzes, answers, cards and reviews. This browser is now a new learner.",
	"imported": "Your data has been imported and merged.",
}

// exportJSON serves /progress/export.json: all of the learner's data.
func (s *Server) exportJSON(c echo.Context) error {
	e := quiz.Export{Format: quiz.ExportFormat, Version: quiz.ExportVersion, ExportedAt: s.now()}
	if id := s.learnerID(c); id != "" {
		var err error
		if e, err = s.store.Export(c.Request().Context(), id); err != nil {
			return err
		}
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="microlab-progress.json"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSONPretty(http.StatusOK, e, "  ")
}

// exportCSV serves /progress/export.csv: the deck as Anki imports it
// (File › Import): a header telling Anki the separator and which columns
// are the deck and the tags, then one row a card: front, back, deck, tags.
// Backs are short, self-contained HTML; every link in them is absolute, so
// it works inside Anki, and each ends with a link to where the site
// teaches it.
func (s *Server) exportCSV(c echo.Context) error {
	base := s.publicURL(c, "")
	var buf bytes.Buffer
	buf.WriteString("#separator:comma\n#html:true\n#columns:Front,Back,Deck,Tags\n#deck column:3\n#tags column:4\n")
	w := csv.NewWriter(&buf)
	for _, fc := range s.cards {
		var back strings.Builder
		if fc.Aloud {
			back.WriteString("<ul>")
			for _, kp := range fc.Page.KeyPointsHTML {
				back.WriteString("<li>" + absoluteLinks(kp, base) + "</li>")
			}
			back.WriteString("</ul>")
		} else {
			fmt.Fprintf(&back, "<p>%s</p>", html.EscapeString(fc.Back))
		}
		fmt.Fprintf(&back, `<p><a href="%s">%s</a></p>`, html.EscapeString(base+fc.SourceURL()), html.EscapeString("Microlab: "+fc.Page.Title))
		deck := "Microlab::" + fc.Page.Title
		tags := append([]string{"microlab", kindLabelTag(fc), fc.Deck}, fc.Page.Tags...)
		w.Write([]string{fc.Front, back.String(), deck, strings.Join(tags, " ")})
	}
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="microlab-cards.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func kindLabelTag(fc views.Flashcard) string {
	if fc.Aloud {
		return "explain-aloud"
	}
	return "fact"
}

// absoluteLinks makes the site-relative links of rendered HTML absolute.
func absoluteLinks(h, base string) string {
	return strings.ReplaceAll(h, `href="/`, `href="`+base+"/")
}

// importJSON handles POST /progress/import: an export file, validated and
// merged without duplicates; on any problem nothing changes. A refusal
// names the place in the file and what is wrong there, in the file's own
// terms: the person fixing or reporting the file has nothing else to go on.
func (s *Server) importJSON(c echo.Context) error {
	if err := s.importSpent(s.learnerID(c), clientKey(c)); err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return s.refuseImport(c, http.StatusBadRequest, "Choose an export file (microlab-progress.json) to import.")
	}
	if fh.Size > maxImport {
		return s.refuseImport(c, http.StatusRequestEntityTooLarge, "That file is "+byteSize(fh.Size)+"; the limit is 1 MB. Nothing was changed.")
	}
	f, err := fh.Open()
	if err != nil {
		return s.refuseImport(c, http.StatusBadRequest, "The file could not be read. Nothing was changed.")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxImport+1))
	if err != nil {
		return s.refuseImport(c, http.StatusBadRequest, "The file could not be read. Nothing was changed.")
	}
	if len(data) > maxImport {
		return s.refuseImport(c, http.StatusRequestEntityTooLarge, "That file is larger than the limit of 1 MB. Nothing was changed.")
	}
	e, err := quiz.ParseExport(data)
	if err == nil {
		err = e.Check(s.catalog)
	}
	if err == nil {
		learner := s.ensureLearner(c)
		if err := s.allowImport(learner, clientKey(c)); err != nil {
			return err
		}
		_, err = s.store.Import(c.Request().Context(), learner, e)
	}
	if problem, ok := importProblem(err); ok {
		return s.refuseImport(c, http.StatusBadRequest, "That file cannot be imported: "+asClause(problem)+". Nothing was changed.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/progress?done=imported")
}

// refuseImport shows the progress page again, the import form with it,
// and why the file was refused above the form.
func (s *Server) refuseImport(c echo.Context, status int, why string) error {
	if wantsJSON(c.Request()) {
		return errorf(status, "%s", why)
	}
	v, err := s.progressData(c)
	if err != nil {
		return err
	}
	v.CSRF, v.ImportProblem = csrfToken(c), why
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, status, views.ProgressPage(s.frame(c, "Progress", ""), v))
}

// importProblem is the reason, for the person importing, that a file was
// refused by the parser, the catalog check or the store's bounds, and
// whether it was refused for one; any other error is ours.
func importProblem(err error) (string, bool) {
	var file *quiz.ExportError
	var bound *store.InvalidError
	switch {
	case errors.As(err, &file):
		return humanize.Truncate(file.Error(), 300), true
	case errors.As(err, &bound):
		return humanize.Truncate(bound.Reason, 300), true
	}
	return "", false
}

// asClause lets a problem stand inside a sentence that goes on after it.
func asClause(problem string) string { return strings.TrimRight(problem, ".") }

// deleteData handles POST /progress/delete: every row of the learner goes.
func (s *Server) deleteData(c echo.Context) error {
	if c.FormValue("confirm") != "yes" {
		// The first step only asks: a stray click deletes nothing.
		v := views.ConfirmDelete{CSRF: csrfToken(c)}
		if id := s.learnerID(c); id != "" {
			ctx := c.Request().Context()
			attempts, err := s.store.Attempts(ctx, id, 1000)
			if err != nil {
				return err
			}
			cards, err := s.store.Cards(ctx, id)
			if err != nil {
				return err
			}
			v.Quizzes = len(attempts)
			sessions, err := s.store.Interviews(ctx, id, store.MaxInterviews)
			if err != nil {
				return err
			}
			v.Interviews = len(sessions)
			for _, card := range cards {
				if card.Reps > 0 {
					v.Cards++
				}
			}
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return s.page(c, views.ConfirmDeletePage(s.frame(c, "Delete your data?", ""), v))
	}
	if id := s.learnerID(c); id != "" {
		if err := s.store.DeleteLearner(c.Request().Context(), id); err != nil {
			return err
		}
	}
	s.forgetLearner(c)
	return c.Redirect(http.StatusSeeOther, "/progress?done=deleted")
}
