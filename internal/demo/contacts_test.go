package demo

import (
	"context"
	"regexp"
	"testing"

	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/registry"
)

// TestDemoContacts: the demo gives the firms synthetic personal data (a
// legal representative, a contact person and an 11-digit mobile number),
// which the registry's lists then show through the masker.
func TestDemoContacts(t *testing.T) {
	st := demoImage.OpenShared(t)
	page, err := st.ListEnterprises(context.Background(), auth.All(), registry.Filter{Year: 2024, Limit: 200})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("list: %d items, %v", len(page.Items), err)
	}
	mobile := regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	for _, it := range page.Items {
		c := it.Contact
		if c.LegalRep == "" || c.Name == "" || !mobile.MatchString(c.Phone) {
			t.Fatalf("%s (%d): contact %+v", it.Name, it.ID, c)
		}
	}
}
