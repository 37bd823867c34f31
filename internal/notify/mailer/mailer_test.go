package mailer_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/industrybrain/ibrain/internal/app"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/notify"
	"github.com/industrybrain/ibrain/internal/notify/mailer"
	"github.com/industrybrain/ibrain/internal/testkit"
)

// The test binary doubles as the SMTP server: run with serverEnv set, it
// serves SMTP (github.com/emersion/go-smtp) on the address given, with
// STARTTLS and AUTH PLAIN required, writes every accepted message to a
// file in the directory given and runs until its standard input closes.
// The test talks to it as a separate process over TCP, as to any mail
// server.
const serverEnv = "IBRAIN_TEST_SMTP_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(serverEnv) != "" {
		if err := serve(); err != nil {
			fmt.Fprintln(os.Stderr, "smtp server:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	testkit.Main(m)
}

// received is one message as the server got it.
type received struct {
	User string   `json:"user"` // the authenticated user
	TLS  bool     `json:"tls"`
	From string   `json:"from"`
	To   []string `json:"to"`
	Data string   `json:"data"`
}

func serve() error {
	cfg := strings.Split(os.Getenv(serverEnv), "|") // addr|dir|cert|key|user|password
	if len(cfg) != 6 {
		return errors.New("want addr|dir|cert|key|user|password")
	}
	cert, err := tls.LoadX509KeyPair(cfg[2], cfg[3])
	if err != nil {
		return err
	}
	be := &backend{dir: cfg[1], user: cfg[4], pass: cfg[5]}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", cfg[0])
	if err != nil {
		return err
	}
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); _ = srv.Close() }()
	fmt.Println("ready")
	if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return err
	}
	return nil
}

type backend struct{ dir, user, pass string }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) { return &session{b: b, c: c}, nil }

type session struct {
	b      *backend
	c      *smtp.Conn
	authed string
	from   string
	to     []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return errors.New("invalid credentials")
		}
		s.authed = user
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.authed == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "reject@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.c.TLSConnectionState()
	b, _ := json.Marshal(received{User: s.authed, TLS: isTLS, From: s.from, To: s.to, Data: string(data)})
	f, err := os.CreateTemp(s.b.dir, "msg-*.tmp")
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), strings.TrimSuffix(f.Name(), ".tmp")+".json")
}
func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// selfSigned writes a certificate for 127.0.0.1 and returns its files and
// a pool trusting it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

// startServer runs the SMTP server process on addr and waits until it
// listens; it is stopped when the test ends.
func startServer(t *testing.T, addr, dir, cert, key string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serverEnv+"="+strings.Join([]string{addr, dir, cert, key, "ibrain", "s3cret"}, "|"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("smtp server did not start: %q, %v", line, err)
	}
}

func messages(t *testing.T, dir string) []received {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "msg-*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []received
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r received
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// A notification reaches a real SMTP server, in another process, over
// STARTTLS with AUTH PLAIN, in the recipient's language (zh-CN): the mail
// fails while the server is down, waits its backoff, is delivered once
// the server is up, and is not sent again. A recipient the server refuses
// for good (550) fails at once.
func TestDeliveryThroughSMTPServer(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	if err := os.Mkdir(inbox, 0o700); err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, pool := selfSigned(t, dir)
	addr := freeAddr(t)

	st := testkit.OpenSQLite(t)
	user := func(name, email, lang string) int64 {
		id, err := st.CreateUser(ctx, auth.User{Username: name, DisplayName: name, PasswordHash: "x", Role: auth.RoleCityAnalyst})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.PutNotifyPrefs(ctx, notify.Prefs{UserID: id, Email: email, Lang: lang, EmailOn: true}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	zhUser, gone := user("zhang.wei", "zhang.wei@example.org", "zh-CN"), user("gone", "reject@example.org", "en")
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	if _, err := st.AddNotes(ctx, []notify.Note{{UserID: zhUser, Kind: "order.approved", Args: []string{"7", "场发射扫描电镜 SU8010"}, Link: "/instruments/orders"}}, t0); err != nil {
		t.Fatal(err)
	}
	catalog, err := app.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailer.New(mailer.Config{Addr: addr, From: "ibrain@example.org", Username: "ibrain", Password: "s3cret", Security: mailer.StartTLS,
		Timeout: 5 * time.Second, TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	w, err := notify.NewWorker(st, notify.WorkerOptions{Now: func() time.Time { return now }, Sender: m, Render: catalog.T,
		BaseURL: "https://ibrain.example.gov.cn/", RetryBase: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	pass := func(at time.Time, want notify.PassResult) {
		t.Helper()
		now = at
		got, err := w.Deliver(ctx)
		if err != nil || got != want {
			t.Fatalf("pass at +%s: %+v, %v; want %+v", at.Sub(t0), got, err, want)
		}
	}

	// The server is down: the attempt fails and the row waits 30 s.
	pass(t0, notify.PassResult{Retried: 1})
	startServer(t, addr, inbox, certFile, keyFile)
	pass(t0.Add(20*time.Second), notify.PassResult{})
	if got := messages(t, inbox); len(got) != 0 {
		t.Fatalf("sent before the backoff: %d", len(got))
	}
	pass(t0.Add(31*time.Second), notify.PassResult{Sent: 1})
	pass(t0.Add(48*time.Hour), notify.PassResult{}) // sent once, never again

	got := messages(t, inbox)
	if len(got) != 1 {
		t.Fatalf("the server holds %d messages, want 1", len(got))
	}
	r := got[0]
	if r.User != "ibrain" || !r.TLS || r.From != "ibrain@example.org" || len(r.To) != 1 || r.To[0] != "zhang.wei@example.org" {
		t.Fatalf("envelope %+v: want AUTH as ibrain over TLS, from ibrain@example.org to zhang.wei@example.org", r)
	}
	msg, err := mail.ReadMessage(strings.NewReader(r.Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	wantSubject := "订单 #7（场发射扫描电镜 SU8010）已审批通过"
	if subject != wantSubject {
		t.Errorf("subject %q, want %q", subject, wantSubject)
	}
	if msg.Header.Get("To") != "zhang.wei@example.org" || !strings.HasPrefix(msg.Header.Get("Message-ID"), "<notify-") ||
		!strings.Contains(msg.Header.Get("Content-Type"), "charset=UTF-8") {
		t.Errorf("headers %v", msg.Header)
	}
	raw, err := io.ReadAll(msg.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{wantSubject, "查看详情：https://ibrain.example.gov.cn/instruments/orders", "请勿回复"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}

	// A mailbox the server refuses for good: failed at once, no retry.
	if _, err := st.AddNotes(ctx, []notify.Note{{UserID: gone, Kind: "order.rejected", Args: []string{"8", "x"}, Link: "/instruments/orders"}}, now); err != nil {
		t.Fatal(err)
	}
	pass(now, notify.PassResult{Failed: 1})
	pass(now.Add(24*time.Hour), notify.PassResult{})
	c, err := st.OutboxCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c[notify.OutboxSent] != 1 || c[notify.OutboxFailed] != 1 || c[notify.OutboxPending] != 0 {
		t.Fatalf("outbox %v", c)
	}
	if n := len(messages(t, inbox)); n != 1 {
		t.Fatalf("the server holds %d messages after the refusal, want 1", n)
	}
}

// Bad configurations are refused with their reason.
func TestConfigValidate(t *testing.T) {
	for _, c := range []mailer.Config{
		{Addr: "mail.example.org", From: "a@example.org"},
		{Addr: "mail.example.org:587", From: "not an address"},
		{Addr: "mail.example.org:587", From: "a@example.org", Security: "ssl"},
		{Addr: "mail.example.org:587", From: "a@example.org", Password: "x"},
	} {
		if _, err := mailer.New(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if _, err := mailer.New(mailer.Config{Addr: "mail.example.org:587", From: "平台 <a@example.org>"}); err != nil {
		t.Errorf("a valid configuration: %v", err)
	}
}
