package web

import (
	"strconv"

	"github.com/industrybrain/ibrain/internal/auth"
)

// coreNav are the menu entries of the pages the core still serves. Each
// moves into its module's Nav when the feature moves out of the core.
func coreNav() []NavItem {
	return []NavItem{
		{Group: GroupMonitor, ID: "enterprises", Label: "nav.my_enterprise", URL: homeURL, Perm: auth.SignedIn, Order: 11, Audience: Enterprises},
		{Group: GroupMonitor, ID: "enterprises", Label: "nav.enterprises", Path: "/enterprises", Perm: auth.SignedIn, Order: 20, Audience: Officials},
		{Group: GroupData, ID: "reference", Label: "nav.reference", Path: "/reference", Perm: auth.SignedIn, Order: 320, Audience: Everyone},
	}
}

// coreEntTabs are the enterprise tabs of the views the core still serves.
func coreEntTabs() []EntTab {
	firm := func(prefix, suffix string) func(int64) string {
		return func(id int64) string { return prefix + strconv.FormatInt(id, 10) + suffix }
	}
	return []EntTab{
		{ID: "profile", Label: "enttabs.profile", Path: firm("/enterprises/", ""), Order: 10},
	}
}
