// Package mailer sends the notification outbox through an SMTP server
// with the standard library's net/smtp: plain, STARTTLS or implicit TLS,
// with optional AUTH PLAIN (only over TLS, or to localhost).
package mailer

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/industrybrain/ibrain/internal/notify"
)

// Security is how the connection to the server is protected.
type Security string

// Securities.
const (
	StartTLS Security = "starttls" // plain connect, then STARTTLS (required); port 587
	TLS      Security = "tls"      // TLS from the first byte; port 465
	None     Security = "none"     // no encryption: a relay on the same host or network
)

// Config is the SMTP server to send through.
type Config struct {
	Addr     string   // host:port
	From     string   // the sender address
	Username string   // AUTH PLAIN when set
	Password string   // with Username
	Security Security // StartTLS when empty
	HeloName string   // the name given in EHLO; "localhost" when empty
	Timeout  time.Duration
	// TLSConfig overrides the TLS settings (a private CA, say); the
	// system roots and the server's host name otherwise.
	TLSConfig *tls.Config
}

// Validate checks the configuration.
func (c Config) Validate() (Config, error) {
	if c.Security == "" {
		c.Security = StartTLS
	}
	if c.Security != StartTLS && c.Security != TLS && c.Security != None {
		return c, fmt.Errorf("mailer: security must be starttls, tls or none, not %q", c.Security)
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return c, fmt.Errorf("mailer: address %q: want host:port", c.Addr)
	}
	a, err := mail.ParseAddress(c.From)
	if err != nil {
		return c, fmt.Errorf("mailer: sender %q: %v", c.From, err)
	}
	c.From = a.Address
	if c.Password != "" && c.Username == "" {
		return c, errors.New("mailer: a password needs a user name")
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.HeloName == "" {
		c.HeloName = "localhost"
	}
	return c, nil
}

// Mailer is an SMTP notify.Sender.
type Mailer struct {
	cfg Config
}

// New returns a mailer after checking cfg.
func New(cfg Config) (*Mailer, error) {
	cfg, err := cfg.Validate()
	if err != nil {
		return nil, err
	}
	return &Mailer{cfg: cfg}, nil
}

// Send delivers one message in one SMTP session. A 5xx reply to the
// recipient is permanent; every other failure may succeed on a retry.
func (m *Mailer) Send(ctx context.Context, msg notify.Mail) error {
	host, _, _ := net.SplitHostPort(m.cfg.Addr)
	tc := m.cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	d := net.Dialer{}
	var conn net.Conn
	var err error
	if m.cfg.Security == TLS {
		conn, err = (&tls.Dialer{NetDialer: &d, Config: tc}).DialContext(ctx, "tcp", m.cfg.Addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", m.cfg.Addr)
	}
	if err != nil {
		return fmt.Errorf("mailer: connect: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("mailer: greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(m.cfg.HeloName); err != nil {
		return fmt.Errorf("mailer: EHLO: %w", err)
	}
	if m.cfg.Security == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("mailer: the server does not offer STARTTLS (set security none to send without encryption)")
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("mailer: STARTTLS: %w", err)
		}
	}
	if m.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, host)); err != nil {
			return fmt.Errorf("mailer: AUTH: %w", err)
		}
	}
	if err := c.Mail(m.cfg.From); err != nil {
		return fmt.Errorf("mailer: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(msg.To); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code >= 500 {
			return &notify.PermanentError{Err: fmt.Errorf("mailer: RCPT TO %s: %w", msg.To, err)}
		}
		return fmt.Errorf("mailer: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mailer: DATA: %w", err)
	}
	if _, err := w.Write(Format(m.cfg.From, msg)); err != nil {
		return fmt.Errorf("mailer: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mailer: DATA: %w", err)
	}
	// The message is accepted once DATA is answered; a failed QUIT does
	// not make it unsent.
	_ = c.Quit()
	return nil
}

// Format renders a message: UTF-8 headers as RFC 2047 words, a plain-text
// body in base64 (Chinese text is not 7-bit).
func Format(from string, msg notify.Mail) []byte {
	var b strings.Builder
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from)
	h("To", msg.To)
	h("Subject", mime.BEncoding.Encode("UTF-8", msg.Subject))
	h("Date", msg.Date.Format(time.RFC1123Z))
	h("Message-ID", msg.MessageID)
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=UTF-8")
	h("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(msg.Body))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return []byte(b.String())
}
