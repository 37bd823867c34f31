package importsweb_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/imports"
	"github.com/industrybrain/ibrain/internal/web/webtest"
)

// TestImportsBeyondTheLimitGet429 runs a real HTTP server allowing two
// imports at once. Two uploads are held open mid-body, so they hold both
// slots; four concurrent uploads then get 429 with Retry-After and write
// nothing; once the held uploads finish, an upload succeeds again.
func TestImportsBeyondTheLimitGet429(t *testing.T) {
	env := webtest.NewWith(t, "sqlite:"+t.TempDir()+"/limit.db", app.Options{Imports: imports.Limits{MaxConcurrent: 2, RetryAfter: 7 * time.Second}})
	srv := httptest.NewServer(env.H)
	defer srv.Close()
	token := env.Token("admin")
	header, example := importer.EnterpriseTemplate("zh-CN")
	file := csvFile(t, header, example)

	post := func(body io.Reader, ct string) (*http.Response, string, error) {
		req, err := http.NewRequest("POST", srv.URL+"/api/v1/imports/enterprises", body)
		if err != nil {
			return nil, "", err
		}
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res, string(b), err
	}

	// The held uploads: the multipart envelope and half of the file now,
	// the rest when released.
	type held struct {
		pw     *io.PipeWriter
		rest   []byte
		status int
		body   string
		err    error
	}
	var wg sync.WaitGroup
	hs := make([]*held, 2)
	for i := range hs {
		var full bytes.Buffer
		mw := multipart.NewWriter(&full)
		fw, _ := mw.CreateFormFile("file", fmt.Sprintf("held%d.csv", i))
		_, _ = fw.Write(file)
		_ = mw.Close()
		cut := full.Len() / 2 // the handler takes its slot before reading
		pr, pw := io.Pipe()
		h := &held{pw: pw, rest: full.Bytes()[cut:]}
		hs[i] = h
		first := full.Bytes()[:cut]
		wg.Go(func() {
			res, body, err := post(pr, mw.FormDataContentType())
			h.body, h.err = body, err
			if res != nil {
				h.status = res.StatusCode
			}
		})
		go func() { _, _ = pw.Write(first) }()
	}
	// Wait until both handlers hold their slot (no time limit: the test's
	// own timeout bounds it).
	for env.App.Imports.Running() < 2 {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}

	var pwg sync.WaitGroup
	results := make([]string, 4)
	for i := range results {
		pwg.Go(func() {
			body, ct := uploadBody(t, "file", "probe.csv", file)
			res, b, err := post(strings.NewReader(body), ct)
			if err != nil {
				results[i] = err.Error()
				return
			}
			results[i] = fmt.Sprintf("%d %s %s", res.StatusCode, res.Header.Get("Retry-After"), b)
		})
	}
	pwg.Wait()
	for i, r := range results {
		if !strings.HasPrefix(r, "429 7 ") || !strings.Contains(r, `"code":"rate_limited"`) || !strings.Contains(r, "7 秒后重试") {
			t.Errorf("concurrent upload %d beyond the limit: %s", i, r)
		}
	}

	for _, h := range hs {
		if _, err := h.pw.Write(h.rest); err != nil {
			t.Fatal(err)
		}
		_ = h.pw.Close()
	}
	wg.Wait()
	for i, h := range hs {
		if h.err != nil || h.status != 200 {
			t.Errorf("held upload %d: %d %v %s", i, h.status, h.err, h.body)
		}
	}
	if env.App.Imports.Running() != 0 {
		t.Errorf("%d slots still held", env.App.Imports.Running())
	}
	body, ct := uploadBody(t, "file", "after.csv", file)
	res, b, err := post(strings.NewReader(body), ct)
	if err != nil || res.StatusCode != 200 || !strings.Contains(b, `"unchanged":2`) {
		t.Fatalf("upload after the held ones: %v %v %s", err, res, b)
	}
}
