package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestABadImportIsExplainedOnTheProgressPage: a browser sending a bad file
// gets the progress page again, the reason in words about the file above
// the import form.
func TestABadImportIsExplainedOnTheProgressPage(t *testing.T) {
	srv := httptest.NewServer(newTestServer(t))
	defer srv.Close()
	alice := newLearner(t, srv.URL)
	for _, c := range []struct{ body, want string }{
		{`{"hello": 1}`, "hello: the export format has no such field"},
		{`not json`, "not valid JSON"},
	} {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.WriteField(csrfField, alice.token(t))
		fw, _ := w.CreateFormFile("file", "mine.json")
		fw.Write([]byte(c.body))
		w.Close()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/progress/import", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Origin", srv.URL)
		res, err := alice.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		doc := mustDoc(t, wantStatus(t, res, http.StatusBadRequest))
		if got := doc.Find("[data-testid=import-problem][role=alert]").Text(); !strings.Contains(got, c.want) || !strings.Contains(got, "Nothing was changed") {
			t.Errorf("importing %q says %q, want %q", c.body, got, c.want)
		}
		if doc.Find("[data-testid=import-form] input[type=file]").Length() != 1 || doc.Find("h1").Text() != "Progress" {
			t.Errorf("importing %q does not show the progress page with its form", c.body)
		}
	}
}
