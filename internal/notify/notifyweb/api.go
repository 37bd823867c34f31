package notifyweb

import (
	"net/http"
	"time"

	"github.com/industrybrain/ibrain/internal/notify"
	"github.com/industrybrain/ibrain/internal/web"
)

type (
	apiNotification struct {
		ID        int64     `json:"id"`
		Kind      string    `json:"kind"`
		Text      string    `json:"text"`
		Link      string    `json:"link"`
		CreatedAt time.Time `json:"created_at"`
		Read      bool      `json:"read"`
	}
	apiInbox struct {
		Unread        int               `json:"unread"`
		Notifications []apiNotification `json:"notifications"`
	}
	readBody struct {
		IDs []int64 `json:"ids"`
		All bool    `json:"all"`
	}
	apiRead struct {
		Marked int `json:"marked"`
		Unread int `json:"unread"`
	}
	apiSettings struct {
		Email          string `json:"email"`
		Lang           string `json:"lang"`
		EmailOn        bool   `json:"email_on"`
		MailConfigured bool   `json:"mail_configured"`
	}
	settingsBody struct {
		Email   string `json:"email"`
		Lang    string `json:"lang"`
		EmailOn bool   `json:"email_on"`
	}
)

// inbox reads the caller's notifications and unread count.
func (m *module) inbox(r *http.Request, c web.Ctx, f notify.ListFilter) (apiInbox, error) {
	ns, err := m.svc.Inbox(r.Context(), c.User.ID, f)
	if err != nil {
		return apiInbox{}, err
	}
	out := apiInbox{Notifications: []apiNotification{}}
	if out.Unread, err = m.svc.Unread(r.Context(), c.User.ID); err != nil {
		return out, err
	}
	t := func(lang, key string, args ...any) string { return m.core.T(lang, key, args...) }
	for _, n := range ns {
		out.Notifications = append(out.Notifications, apiNotification{ID: n.ID, Kind: n.Kind, Text: n.Text(t, c.Lang), Link: n.Link,
			CreatedAt: n.CreatedAt, Read: !n.ReadAt.IsZero()})
	}
	return out, nil
}

// apiList is GET /api/v1/notifications: the caller's newest
// notifications (?unread=true for the unread ones, ?limit up to 200).
func (m *module) apiList(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	q := r.URL.Query()
	limit, err := web.IntParam(q, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	unread, err := web.BoolParam(q, "unread")
	if err != nil {
		return err
	}
	out, err := m.inbox(r, c, notify.ListFilter{Limit: limit, UnreadOnly: unread != nil && *unread})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiRead is POST /api/v1/notifications/read: marks the named
// notifications (or all) of the caller read.
func (m *module) apiRead(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var b readBody
	if err := web.DecodeJSON(w, r, &b, 64<<10); err != nil {
		return err
	}
	n, err := m.svc.MarkRead(r.Context(), c.User.ID, b.IDs, b.All)
	if err != nil {
		return err
	}
	left, err := m.svc.Unread(r.Context(), c.User.ID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiRead{Marked: n, Unread: left})
	return nil
}

func (m *module) settings(p notify.Prefs) apiSettings {
	return apiSettings{Email: p.Email, Lang: p.Lang, EmailOn: p.EmailOn, MailConfigured: m.opts.MailConfigured}
}

// apiSettings is GET /api/v1/notification-settings.
func (m *module) apiSettings(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	p, err := m.svc.Prefs(r.Context(), c.User.ID)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, m.settings(p))
	return nil
}

// apiPutSettings is POST /api/v1/notification-settings: the caller's
// address, mail language and whether to mail at all.
func (m *module) apiPutSettings(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var b settingsBody
	if err := web.DecodeJSON(w, r, &b, 8<<10); err != nil {
		return err
	}
	p, err := m.svc.SetPrefs(r.Context(), c.User.ID, notify.Prefs{Email: b.Email, Lang: b.Lang, EmailOn: b.EmailOn})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, m.settings(p))
	return nil
}
