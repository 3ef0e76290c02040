package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"microlab/simulator"
)

// TestCrawlEveryInternalLink starts at the home page and the three learn
// indexes, follows every internal link it finds, and requires each to
// answer 200 and each #fragment to name an element on its target page.
func TestCrawlEveryInternalLink(t *testing.T) {
	ts := newTestServer(t)
	type page struct {
		status int
		ids    map[string]bool
	}
	pages := map[string]*page{}
	type link struct{ from, to string }
	var links []link
	queue := []string{"/", "/patterns", "/questions", "/guides", "/search"}
	seen := map[string]bool{}
	for _, q := range queue {
		seen[q] = true
	}
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		res := ts.get(t, path)
		p := &page{status: res.StatusCode, ids: map[string]bool{}}
		pages[path] = p
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			res.Body.Close()
			continue
		}
		doc := mustDoc(t, res)
		doc.Find("[id]").Each(func(_ int, s *goquery.Selection) { p.ids[s.AttrOr("id", "")] = true })
		doc.Find("a[href], img[src], link[href], script[src]").Each(func(_ int, s *goquery.Selection) {
			ref := s.AttrOr("href", s.AttrOr("src", ""))
			u, err := url.Parse(ref)
			if err != nil {
				t.Errorf("%s: unparsable link %q", path, ref)
				return
			}
			if u.Scheme != "" || u.Host != "" {
				return // external
			}
			target := u.Path
			if target == "" {
				target = path
			}
			if u.RawQuery != "" {
				target += "?" + u.RawQuery
			}
			links = append(links, link{from: path, to: target + fragment(u)})
			if !seen[target] {
				seen[target] = true
				queue = append(queue, target)
			}
		})
	}
	if len(pages) < 30 {
		t.Fatalf("crawled only %d pages; the crawl is not reaching the content", len(pages))
	}
	for _, l := range links {
		target, frag, _ := strings.Cut(l.to, "#")
		p := pages[target]
		if p.status != http.StatusOK {
			t.Errorf("%s links to %s, which answers %d", l.from, target, p.status)
			continue
		}
		if frag != "" && !p.ids[frag] {
			t.Errorf("%s links to %s#%s, but that page has no element with that id", l.from, target, frag)
		}
	}
	// Every lab is reachable: each scenario's page (and free play) was
	// crawled and answers 200, and every pattern page's "See it live" names
	// one of them.
	for _, sc := range simulator.Scenarios() {
		if p := pages["/lab/"+sc.Slug]; p == nil || p.status != http.StatusOK {
			t.Errorf("the crawl did not reach /lab/%s with a 200", sc.Slug)
		}
	}
	if p := pages["/lab/free-play"]; p == nil || p.status != http.StatusOK {
		t.Error("the crawl did not reach /lab/free-play with a 200")
	}
	for _, ch := range simulator.Challenges() {
		if p := pages["/lab/challenges/"+ch.Slug]; p == nil || p.status != http.StatusOK {
			t.Errorf("the crawl did not reach challenge %s with a 200", ch.Slug)
		}
	}
	seeItLive := map[string]bool{}
	for _, l := range links {
		if strings.HasPrefix(l.from, "/patterns/") && strings.HasPrefix(l.to, "/lab/") {
			seeItLive[l.from] = true
			if ch, ok := strings.CutPrefix(l.to, "/lab/challenges/"); ok {
				if _, ok := simulator.ChallengeBySlug(ch); !ok {
					t.Errorf("%s links to %s, which is no challenge", l.from, l.to)
				}
				continue
			}
			if _, ok := simulator.ScenarioBySlug(strings.TrimPrefix(l.to, "/lab/")); !ok && l.to != "/lab/free-play" {
				t.Errorf("%s links to %s, which is no lab", l.from, l.to)
			}
		}
	}
	if len(seeItLive) < 7 {
		t.Errorf("only %d pattern pages link to a lab, want all 7", len(seeItLive))
	}
	t.Logf("crawled %d pages, checked %d links", len(pages), len(links))
}

func fragment(u *url.URL) string {
	if u.Fragment == "" {
		return ""
	}
	return "#" + u.Fragment
}
