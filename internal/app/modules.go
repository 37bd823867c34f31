package app

import (
	"fmt"
	"io/fs"

	"github.com/industrybrain/ibrain/internal/accounts"
	"github.com/industrybrain/ibrain/internal/accounts/accountsweb"
	"github.com/industrybrain/ibrain/internal/audit/auditweb"
	"github.com/industrybrain/ibrain/internal/cockpit/cockpitweb"
	"github.com/industrybrain/ibrain/internal/cultivation/cultivationweb"
	"github.com/industrybrain/ibrain/internal/digital/digitalweb"
	"github.com/industrybrain/ibrain/internal/federation/federationweb"
	"github.com/industrybrain/ibrain/internal/goals/goalsweb"
	"github.com/industrybrain/ibrain/internal/hardtech/hardtechweb"
	"github.com/industrybrain/ibrain/internal/i18n"
	"github.com/industrybrain/ibrain/internal/importer"
	"github.com/industrybrain/ibrain/internal/imports/importsweb"
	"github.com/industrybrain/ibrain/internal/instruments/instrumentsweb"
	"github.com/industrybrain/ibrain/internal/listing/listingweb"
	"github.com/industrybrain/ibrain/internal/mujun/mujunweb"
	"github.com/industrybrain/ibrain/internal/notify/notifyweb"
	"github.com/industrybrain/ibrain/internal/registry/registryweb"
	"github.com/industrybrain/ibrain/internal/reporting/reportingweb"
	"github.com/industrybrain/ibrain/internal/sso/ssoweb"
	"github.com/industrybrain/ibrain/internal/tasks/tasksweb"
	"github.com/industrybrain/ibrain/internal/web"
)

// The table of contents: every feature's catalogue and HTTP module, in
// menu order. Adding a feature is adding its folder and one line here.
func features() []feature {
	return []feature{
		{name: "cockpit", messages: cockpitweb.Messages, web: func(a *App) web.ModuleFunc { return cockpitweb.Module(a.Cockpit, a.Store) }},
		{name: "registry", messages: registryweb.Messages, web: func(a *App) web.ModuleFunc { return registryweb.Module(a.Registry) }},
		{name: "cultivation", web: func(a *App) web.ModuleFunc { return cultivationweb.Module(a.Cultivation) }},
		{name: "listing", messages: listingweb.Messages, web: func(a *App) web.ModuleFunc { return listingweb.Module(a.Listing) }},
		{name: "reference", messages: registryweb.ReferenceMessages, web: func(a *App) web.ModuleFunc { return registryweb.Reference(a.Registry) }},
		{name: "goals", messages: goalsweb.Messages, web: func(a *App) web.ModuleFunc { return goalsweb.Module(a.Goals) }},
		{name: "hardtech", messages: hardtechweb.Messages, web: func(a *App) web.ModuleFunc { return hardtechweb.Module(a.Hardtech) }},
		{name: "mujun", web: func(a *App) web.ModuleFunc { return mujunweb.Module(a.Mujun) }}, // messages in internal/i18n: the engine reads them
		{name: "reporting", messages: reportingweb.Messages, web: func(a *App) web.ModuleFunc { return reportingweb.Module(a.Reporting) }},
		{name: "imports", messages: importsweb.Messages, web: func(a *App) web.ModuleFunc { return importsweb.Module(a.Imports) }},
		{name: "tasks", messages: tasksweb.Messages, web: func(a *App) web.ModuleFunc { return tasksweb.Module(a.Tasks) }},
		{name: "audit", messages: auditweb.Messages, web: func(a *App) web.ModuleFunc { return auditweb.Module(a.Audit) }},
		{name: "sso", web: func(a *App) web.ModuleFunc { return ssoweb.Module(a.SSO) }}, // messages in internal/i18n/web.*: the sign-in page shows them
		{name: "instruments", messages: instrumentsweb.Messages, web: func(a *App) web.ModuleFunc { return instrumentsweb.Module(a.Instruments) }},
		{name: "notify", messages: notifyweb.Messages, web: func(a *App) web.ModuleFunc {
			return notifyweb.Module(a.Notify, notifyweb.Options{MailConfigured: a.Mail != nil})
		}},
		{name: "federation", messages: federationweb.Messages, web: func(a *App) web.ModuleFunc { return federationweb.Module(a.Federation) }},
		{name: "digital", messages: digitalweb.Messages, web: func(a *App) web.ModuleFunc { return digitalweb.Module(a.Digital) }},
		{name: "security", messages: accountsweb.Messages, web: func(a *App) web.ModuleFunc {
			return accountsweb.Module(accounts.NewService(a.Store, nil), a.AccountAdmin)
		}},
	}
}

// feature is one line of the table of contents.
type feature struct {
	name     string
	messages fs.FS // holds i18n/<name>.<lang>.json; nil when they stay in internal/i18n
	web      func(a *App) web.ModuleFunc
}

// Catalog loads the message catalogue: the core's, every feature's and the
// importer's and web core's own message sets.
func Catalog() (*i18n.Catalog, error) {
	var srcs []fs.FS
	for _, f := range features() {
		if f.messages == nil {
			continue
		}
		sub, err := fs.Sub(f.messages, "i18n")
		if err != nil {
			return nil, fmt.Errorf("app: %s messages: %w", f.name, err)
		}
		srcs = append(srcs, sub)
	}
	return i18n.LoadWith(srcs, importer.Messages(), web.Messages())
}

// WebModules are the features' HTTP modules over the app's services.
func (a *App) WebModules() []web.ModuleFunc {
	var out []web.ModuleFunc
	for _, f := range features() {
		out = append(out, f.web(a))
	}
	return out
}
