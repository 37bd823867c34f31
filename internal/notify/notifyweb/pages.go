package notifyweb

import (
	"net/http"
	"time"

	"github.com/industrybrain/ibrain/internal/notify"
	"github.com/industrybrain/ibrain/internal/web"
)

type (
	row struct {
		ID   int64
		Text string
		Link string
		When string
		Read bool
	}
	langOption struct {
		Value, Label string
		Selected     bool
	}
	pageData struct {
		Text map[string]string `json:"text"`
	}
	inboxPage struct {
		web.BasePage
		Rows           []row
		Unread         int
		Email          string
		EmailOn        bool
		Langs          []langOption
		MailConfigured bool
		Data           pageData
	}
)

// page is GET /notifications: the inbox, newest first, and the settings.
func (m *module) page(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	in, err := m.inbox(r, c, notify.ListFilter{Limit: 100})
	if err != nil {
		return err
	}
	pr, err := m.svc.Prefs(r.Context(), c.User.ID)
	if err != nil {
		return err
	}
	p := inboxPage{BasePage: m.core.Base(r, c, "notify.title", "notify"), Unread: in.Unread, Email: pr.Email, EmailOn: pr.EmailOn,
		MailConfigured: m.opts.MailConfigured}
	p.Scripts = []string{"app.js", "notify.js"}
	p.Data = pageData{Text: m.core.Prefixed(c.Lang, "notify.")}
	for _, l := range []string{"zh-CN", "en"} {
		p.Langs = append(p.Langs, langOption{Value: l, Label: m.core.T(c.Lang, "notify.lang."+l), Selected: pr.Lang == l})
	}
	for _, n := range in.Notifications {
		p.Rows = append(p.Rows, row{ID: n.ID, Text: n.Text, Link: n.Link, When: n.CreatedAt.In(zone()).Format("2006-01-02 15:04"), Read: n.Read})
	}
	return m.core.Render(w, r, c, "notifications.html", p)
}

// zone is the platform's local time, in which times are shown.
func zone() *time.Location { return time.FixedZone("CST", 8*3600) }
