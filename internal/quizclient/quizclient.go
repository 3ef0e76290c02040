// Package quizclient plays a learner against a running Microlab server:
// it builds quizzes and answers every question right through the real
// HTML forms, reporting each answer the server acknowledged. The crash
// test and the load generator both drive the server with it.
package quizclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"time"

	"microlab/quiz"
)

// Ack is an answer the server acknowledged with its 303 redirect, which
// it sends only after the answer is committed.
type Ack struct {
	Learner, QuizID string
	Index           int // from 0
	QuestionID      string
	Choices         []int
	Latency         time.Duration
}

// Client is one learner's browser: its own cookies, no redirects followed.
type Client struct {
	Base    string
	HTTP    *http.Client
	Catalog *quiz.Catalog
}

// New makes a client with a fresh cookie jar.
func New(base string, catalog *quiz.Catalog, transport http.RoundTripper) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: base, Catalog: catalog, HTTP: &http.Client{
		Jar: jar, Transport: transport, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Cookie returns the value of the named cookie the client holds for base.
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.Base)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// Learner is the learner id in the client's cookie, or "".
func (c *Client) Learner() string {
	id, _, _ := strings.Cut(c.Cookie("microlab_learner"), ".")
	return id
}

// Get fetches path and returns its body and status (0 on a network error).
func (c *Client) Get(path string) (string, int) {
	res, err := c.HTTP.Get(c.Base + path)
	if err != nil {
		return "", 0
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b), res.StatusCode
}

// csrf returns the client's CSRF token, fetching a page for it first if
// the client has none.
func (c *Client) csrf() (string, error) {
	if c.Cookie("microlab_csrf") == "" {
		if _, status := c.Get("/quiz"); status != 200 {
			return "", fmt.Errorf("GET /quiz = %d", status)
		}
	}
	return c.Cookie("microlab_csrf"), nil
}

func (c *Client) post(path string, form url.Values) (*http.Response, error) {
	token, err := c.csrf()
	if err != nil {
		return nil, err
	}
	form.Set("_csrf", token)
	res, err := c.HTTP.PostForm(c.Base+path, form)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res, nil
}

// Import uploads file as the learner's export to import, as the progress
// page's form does, and returns the status of the server's answer: 303
// when the file was imported.
func (c *Client) Import(file []byte) (int, error) {
	token, err := c.csrf()
	if err != nil {
		return 0, err
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", token)
	fw, err := w.CreateFormFile("file", "microlab-progress.json")
	if err != nil {
		return 0, err
	}
	fw.Write(file)
	w.Close()
	res, err := c.HTTP.Post(c.Base+"/progress/import", w.FormDataContentType(), &body)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}

// TakeQuiz builds a quiz of length questions on any topic and answers
// them all, calling ack after each acknowledged answer. It reads each
// question's page before answering it, as a person does.
func (c *Client) TakeQuiz(length int, ack func(Ack)) error {
	quizID, err := c.startQuiz(length)
	if err != nil {
		return err
	}
	return c.answerAll(quizID, length, ack, func(n int) (string, error) {
		body, status := c.Get(fmt.Sprintf("/quiz/%s/q/%d", quizID, n))
		if status != 200 {
			return "", fmt.Errorf("GET question %d = %d", n, status)
		}
		const marker = `name="question" value="`
		i := strings.Index(body, marker)
		if i < 0 {
			return "", fmt.Errorf("question %d: no question id on the page", n)
		}
		qid := body[i+len(marker):]
		return qid[:strings.IndexByte(qid, '"')], nil
	})
}

// AnswerQuiz builds a quiz and answers it without reading the question
// pages: it reads the quiz's questions once from the learner's export and
// then only posts answers, so it loads the write path alone. Use a fresh
// Client per call, or the export grows with every quiz.
func (c *Client) AnswerQuiz(length int, ack func(Ack)) error {
	quizID, err := c.startQuiz(length)
	if err != nil {
		return err
	}
	body, status := c.Get("/progress/export.json")
	if status != 200 {
		return fmt.Errorf("GET export = %d", status)
	}
	var export struct {
		Quizzes []struct {
			ID    string `json:"id"`
			Items []struct {
				QuestionID string `json:"question_id"`
			} `json:"items"`
		} `json:"quizzes"`
	}
	if err := json.Unmarshal([]byte(body), &export); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	var ids []string
	for _, q := range export.Quizzes {
		if q.ID == quizID {
			for _, it := range q.Items {
				ids = append(ids, it.QuestionID)
			}
		}
	}
	if len(ids) != length {
		return fmt.Errorf("the export lists %d questions for quiz %s, want %d", len(ids), quizID, length)
	}
	return c.answerAll(quizID, length, ack, func(n int) (string, error) { return ids[n-1], nil })
}

func (c *Client) startQuiz(length int) (string, error) {
	res, err := c.post("/quiz", url.Values{"length": {strconv.Itoa(length)}})
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("POST /quiz = %d", res.StatusCode)
	}
	return strings.TrimPrefix(res.Header.Get("Location"), "/quiz/"), nil
}

// answerAll answers questions 1 to length right, learning each one's id
// from questionID.
func (c *Client) answerAll(quizID string, length int, ack func(Ack), questionID func(n int) (string, error)) error {
	learner := c.Learner()
	for n := 1; n <= length; n++ {
		qid, err := questionID(n)
		if err != nil {
			return err
		}
		q, ok := c.Catalog.Question(qid)
		if !ok {
			return fmt.Errorf("question %q is not in the catalog", qid)
		}
		form, choices := RightAnswer(q, n)
		start := time.Now()
		res, err := c.post("/quiz/"+quizID+"/answer", form)
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("answer %d = %d", n, res.StatusCode)
		}
		ack(Ack{Learner: learner, QuizID: quizID, Index: n - 1, QuestionID: qid, Choices: choices, Latency: time.Since(start)})
	}
	return nil
}

// RightAnswer is the form that answers question n, q, right, and the
// choices the server stores for it.
func RightAnswer(q quiz.Question, n int) (url.Values, []int) {
	f := url.Values{"n": {strconv.Itoa(n)}, "question": {q.ID}}
	if q.Type == quiz.TypeOrdering {
		var order []int
		for i := range q.Options {
			f.Set("pos-"+strconv.Itoa(i), strconv.Itoa(i+1))
			order = append(order, i)
		}
		return f, order
	}
	for _, i := range q.Correct() {
		f.Add("choice", strconv.Itoa(i))
	}
	return f, q.Correct()
}
