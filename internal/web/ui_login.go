package web

import (
	"net/http"
	"net/url"
)

// loginPage is the sign-in form. It posts to POST /login (session.go),
// which redirects to next on success and calls renderLogin on failure.
type loginPage struct {
	basePage
	Username string
	Next     string
	Error    string
	SSO      []ssoButton
}

type ssoButton struct{ Label, URL string }

// loginPage answers GET /login. A signed-in user goes straight to next.
func (u *ui) loginPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if usr, ok := UserFrom(r.Context()); ok {
		if next == "/" {
			next = homeURL(usr)
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	u.renderLoginForm(w, r, http.StatusOK, loginPage{Next: next})
}

// renderLogin shows the form again after a failed sign-in, with the
// message and the username as typed.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, f LoginFailure) {
	u := uiOf(s)
	if u == nil {
		http.Error(w, f.Message, f.Status)
		return
	}
	u.renderLoginForm(w, r, f.Status, loginPage{Username: f.Username, Next: f.Next, Error: f.Message})
}

func (u *ui) renderLoginForm(w http.ResponseWriter, r *http.Request, status int, p loginPage) {
	pc := pageCtx{lang: Lang(r)}
	p.basePage = u.base(r, pc, "login.title", "")
	if p.Next == "" {
		p.Next = "/"
	}
	for _, m := range u.s.modules {
		for _, l := range m.SignInLinks {
			p.SSO = append(p.SSO, ssoButton{Label: pickLang(pc.lang, l.LabelZH, l.LabelEN), URL: l.Path + "?next=" + url.QueryEscape(p.Next)})
		}
	}
	u.render(w, r, status, pc.lang, "login.html", p)
}
