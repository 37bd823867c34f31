package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a buffer the command writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDemoFederation runs 'ibrain demo federation --quick' and looks at
// it: two instances on their own ports and databases, each pulling the
// other; each one's joint view, computed by the statistics code from the
// records (its own catalogue and the mirror of the other's), sums both
// instances' own figures and passes the document's joint figure (川渝
// 1.3万余台（套）, 总价值超过130亿元); each instance's own figure is what
// its own statistics count; the status page and /metrics show each peer's
// feed lag. The command stops cleanly when its context ends.
func TestDemoFederation(t *testing.T) {
	if testing.Short() {
		t.Skip("loads both demo catalogues and starts two servers")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runDemoFederation(ctx, []string{"--dir", t.TempDir(), "--cq-addr", "127.0.0.1:0", "--sc-addr", "127.0.0.1:0", "--quick", "--pull-seconds", "1"},
			IO{Stdin: strings.NewReader(""), Stdout: out, Stderr: errOut})
	}()
	urls := map[string]string{}
	line := regexp.MustCompile(`(?m)^  (cq|sc)  (http://127\.0\.0\.1:\d+)/ `)
	for len(urls) < 2 {
		select {
		case err := <-done:
			t.Fatalf("the command returned: %v\n%s\n%s", err, out, errOut)
		case <-time.After(200 * time.Millisecond):
		}
		for _, m := range line.FindAllStringSubmatch(out.String(), -1) {
			urls[m[1]] = m[2]
		}
	}
	// The operator's password of each instance, printed when its database
	// was created (cq first).
	pws := regexp.MustCompile(`(?m)^  operator\s+(\S+)\s`).FindAllStringSubmatch(out.String(), -1)
	if len(pws) != 2 {
		t.Fatalf("operator accounts printed: %d\n%s", len(pws), out)
	}
	op := map[string]*http.Client{"cq": signIn(t, urls["cq"], "operator", pws[0][1]), "sc": signIn(t, urls["sc"], "operator", pws[1][1])}

	type instance struct {
		Instance    string `json:"instance"`
		Own         bool   `json:"own"`
		Instruments int    `json:"instruments"`
		ValueFen    int64  `json:"value_fen"`
	}
	type joint struct {
		Instances   []instance `json:"instances"`
		Instruments int        `json:"instruments"`
		ValueFen    int64      `json:"value_fen"`
	}
	// Wait until each instance has completed a pull of the other (it
	// tries every second): its mirror then holds the other's catalogue,
	// which nothing changes during the test.
	views := map[string]joint{}
	for id := range urls {
		for {
			var peers struct {
				Peers []struct {
					LastOK string `json:"last_ok"`
				} `json:"peers"`
			}
			getJSON(t, op[id], urls[id]+"/api/v1/federation/peers", &peers)
			if len(peers.Peers) == 1 && peers.Peers[0].LastOK != "" {
				break
			}
			select {
			case err := <-done:
				t.Fatalf("the command returned: %v\n%s", err, errOut)
			case <-time.After(500 * time.Millisecond):
			}
		}
		var j joint
		getJSON(t, op[id], urls[id]+"/api/v1/federation/stats", &j)
		if len(j.Instances) != 2 {
			t.Fatalf("%s's joint view: %+v; want its own figures and the other's", id, j)
		}
		views[id] = j
	}
	own := map[string]instance{}
	for id, j := range views {
		if !j.Instances[0].Own || j.Instances[0].Instance != id {
			t.Fatalf("%s's joint view: %+v; want its own figures first", id, j)
		}
		own[id] = j.Instances[0]
		// The own figure is what the instance's own statistics count.
		var s struct {
			Total    int   `json:"total"`
			ValueFen int64 `json:"value_fen"`
		}
		getJSON(t, op[id], fmt.Sprintf("%s/api/v1/instruments/stats?year=%d", urls[id], time.Now().Year()), &s)
		if s.Total != own[id].Instruments || s.ValueFen != own[id].ValueFen {
			t.Errorf("%s: own joint figures %d / %d fen, its statistics %d / %d fen", id, own[id].Instruments, own[id].ValueFen, s.Total, s.ValueFen)
		}
	}
	sumN, sumV := own["cq"].Instruments+own["sc"].Instruments, own["cq"].ValueFen+own["sc"].ValueFen
	for id, j := range views {
		other := map[string]string{"cq": "sc", "sc": "cq"}[id]
		if j.Instances[1].Instruments != own[other].Instruments || j.Instances[1].ValueFen != own[other].ValueFen {
			t.Errorf("%s mirrors %s as %+v; %s counts itself %+v", id, other, j.Instances[1], other, own[other])
		}
		if j.Instruments != sumN || j.ValueFen != sumV {
			t.Errorf("%s's joint view: %d instruments, %d fen; the instances' own figures sum to %d, %d fen", id, j.Instruments, j.ValueFen, sumN, sumV)
		}
	}
	// The document: 1.3万余台（套）, 总价值超过130亿元 (10^8 yuan = 10^10 fen).
	if sumN <= 13_000 || sumV <= 130*10_000_000_000 {
		t.Errorf("joint figures %d instruments, %.2f 亿元; the document says above 13,000 and 130 亿元", sumN, float64(sumV)/1e10)
	}
	t.Logf("cq %d + sc %d = %d instruments; %.2f + %.2f = %.2f 亿元", own["cq"].Instruments, own["sc"].Instruments, sumN,
		float64(own["cq"].ValueFen)/1e10, float64(own["sc"].ValueFen)/1e10, float64(sumV)/1e10)

	// Each peer's feed lag and last error: the page and /metrics.
	page := getBody(t, op["sc"], urls["sc"]+"/federation")
	if !strings.Contains(page, "cq") {
		t.Errorf("sc's /federation page does not list cq")
	}
	metrics := getBody(t, op["cq"], urls["cq"]+"/metrics")
	for _, want := range []string{`ibrain_federation_last_pull_ok_timestamp_seconds{peer="sc"}`, `ibrain_federation_pull_failing{peer="sc"} 0`,
		`ibrain_federation_last_pull_attempt_timestamp_seconds{peer="sc"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("cq's /metrics lacks %s", want)
		}
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("stopping: %v", err)
	}
}

func signIn(t *testing.T, base, user, pw string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/login", url.Values{"username": {user}, "password": {pw}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in of %s at %s: %d", user, base, res.StatusCode)
	}
	return c
}

func getBody(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, res.StatusCode, b)
	}
	return string(b)
}

func getJSON(t *testing.T, c *http.Client, u string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(getBody(t, c, u)), v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}
