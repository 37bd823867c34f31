package sqlstore

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
)

// userTestClock is a store clock the test sets by hand, to move sessions
// past their expiry without sleeping.
type userTestClock struct{ unix atomic.Int64 }

func (c *userTestClock) now() time.Time          { return time.Unix(c.unix.Load(), 0) }
func (c *userTestClock) advance(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

// forEachUserEngine runs fn on a migrated store of every engine with a
// hand-set clock.
func forEachUserEngine(t *testing.T, fn func(t *testing.T, st *Store, clock *userTestClock)) {
	t.Helper()
	for _, e := range testEngines(t) {
		t.Run(e.name, func(t *testing.T) {
			clock := &userTestClock{}
			clock.unix.Store(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC).Unix())
			st := e.open(t, Options{Now: clock.now})
			mustMigrate(t, st)
			fn(t, st, clock)
		})
	}
}

func mustCreateUser(t *testing.T, st *Store, u auth.User) int64 {
	t.Helper()
	if u.PasswordHash == "" {
		u.PasswordHash = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$a2V5"
	}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	id, err := st.CreateUser(context.Background(), u)
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", u.Username, err)
	}
	return id
}

func TestUsers(t *testing.T) {
	forEachUserEngine(t, func(t *testing.T, st *Store, _ *userTestClock) {
		ctx := context.Background()
		adminID := mustCreateUser(t, st, auth.User{Username: "admin", Role: auth.RoleCityAdmin})
		offID := mustCreateUser(t, st, auth.User{Username: "yuzhong", DisplayName: "渝中区经信委", Role: auth.RoleDistrict, RegionCode: "500103"})
		entID := mustCreateUser(t, st, auth.User{Username: "firm-1", Role: auth.RoleEnterprise, EnterpriseID: 42})

		t.Run("ErrConflictOnTakenUsername", func(t *testing.T) {
			_, err := st.CreateUser(ctx, auth.User{Username: "admin", DisplayName: "x", PasswordHash: "h", Role: auth.RoleCityAnalyst})
			if !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("err = %v, want conflict", err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for _, u := range []auth.User{
				{Username: "Bad Name", PasswordHash: "h", Role: auth.RoleCityAdmin},
				{Username: "nohash", Role: auth.RoleCityAdmin},
				{Username: "district", PasswordHash: "h", Role: auth.RoleDistrict},
				{Username: "norole", PasswordHash: "h"},
			} {
				if _, err := st.CreateUser(ctx, u); !apperr.Is(err, apperr.Invalid) {
					t.Errorf("CreateUser(%+v) err = %v, want invalid", u, err)
				}
			}
		})
		t.Run("ByUsernameAndID", func(t *testing.T) {
			u, err := st.UserByUsername(ctx, "yuzhong")
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != offID || u.Role != auth.RoleDistrict || u.RegionCode != "500103" || u.DisplayName != "渝中区经信委" || u.Disabled {
				t.Errorf("UserByUsername = %+v", u)
			}
			if got := u.ScopeOf(); got.RegionCode != "500103" || got.IsAll() {
				t.Errorf("scope = %+v", got)
			}
			e, err := st.UserByID(ctx, entID)
			if err != nil || e.EnterpriseID != 42 || e.Role != auth.RoleEnterprise {
				t.Errorf("UserByID = %+v, %v", e, err)
			}
			if _, err := st.UserByUsername(ctx, "nobody"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("unknown username err = %v", err)
			}
			if _, err := st.UserByID(ctx, 99999); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("unknown id err = %v", err)
			}
		})
		t.Run("ListSortedByUsername", func(t *testing.T) {
			us, err := st.ListUsers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, u := range us {
				names = append(names, u.Username)
			}
			if len(names) != 3 || names[0] != "admin" || names[1] != "firm-1" || names[2] != "yuzhong" {
				t.Errorf("ListUsers = %v", names)
			}
		})
		t.Run("SetPassword", func(t *testing.T) {
			if err := st.SetPassword(ctx, adminID, "new-hash"); err != nil {
				t.Fatal(err)
			}
			u, _ := st.UserByID(ctx, adminID)
			if u.PasswordHash != "new-hash" {
				t.Errorf("hash = %q", u.PasswordHash)
			}
			if err := st.SetPassword(ctx, 99999, "x"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("unknown user err = %v", err)
			}
			if err := st.SetPassword(ctx, adminID, ""); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("empty hash err = %v", err)
			}
		})
		t.Run("DisableUnknown", func(t *testing.T) {
			if err := st.DisableUser(ctx, 99999); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("err = %v", err)
			}
		})
	})
}

func TestSessions(t *testing.T) {
	forEachUserEngine(t, func(t *testing.T, st *Store, clock *userTestClock) {
		ctx := context.Background()
		uid := mustCreateUser(t, st, auth.User{Username: "analyst", Role: auth.RoleCityAnalyst})
		other := mustCreateUser(t, st, auth.User{Username: "other", Role: auth.RoleCityAnalyst})
		expires := clock.now().Add(12 * time.Hour)
		if err := st.CreateSession(ctx, "h1", uid, expires); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateSession(ctx, "h-other", other, expires); err != nil {
			t.Fatal(err)
		}

		t.Run("Live", func(t *testing.T) {
			u, err := st.SessionUser(ctx, "h1")
			if err != nil || u.ID != uid || u.Username != "analyst" {
				t.Fatalf("SessionUser = %+v, %v", u, err)
			}
			sess, err := st.Session(ctx, "h1")
			if err != nil || !sess.ExpiresAt.Equal(time.Unix(expires.Unix(), 0)) {
				t.Errorf("Session = %+v, %v; want expiry %v", sess, err, expires)
			}
		})
		t.Run("ErrUnauthorizedForUnknownToken", func(t *testing.T) {
			if _, err := st.SessionUser(ctx, "nope"); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("err = %v", err)
			}
		})
		t.Run("SlidingExpiry", func(t *testing.T) {
			clock.advance(11 * time.Hour)
			later := clock.now().Add(12 * time.Hour)
			if err := st.ExtendSession(ctx, "h1", later); err != nil {
				t.Fatal(err)
			}
			// Extending to an earlier time must not shorten the session.
			if err := st.ExtendSession(ctx, "h1", clock.now()); err != nil {
				t.Fatal(err)
			}
			clock.advance(2 * time.Hour) // past the original expiry
			if _, err := st.SessionUser(ctx, "h1"); err != nil {
				t.Errorf("extended session: %v", err)
			}
			if _, err := st.SessionUser(ctx, "h-other"); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("expired session err = %v, want unauthorized", err)
			}
		})
		t.Run("DeleteExpired", func(t *testing.T) {
			n, err := st.DeleteExpiredSessions(ctx)
			if err != nil || n != 1 {
				t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
			}
			if _, err := st.SessionUser(ctx, "h1"); err != nil {
				t.Errorf("live session deleted: %v", err)
			}
		})
		t.Run("Delete", func(t *testing.T) {
			if err := st.CreateSession(ctx, "h2", uid, clock.now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := st.DeleteSession(ctx, "h2"); err != nil {
				t.Fatal(err)
			}
			if _, err := st.SessionUser(ctx, "h2"); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("deleted session err = %v", err)
			}
			if err := st.DeleteSession(ctx, "h2"); err != nil {
				t.Errorf("deleting twice: %v", err)
			}
		})
		t.Run("PasswordResetEndsSessions", func(t *testing.T) {
			if err := st.SetPassword(ctx, uid, "reset"); err != nil {
				t.Fatal(err)
			}
			if _, err := st.SessionUser(ctx, "h1"); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("session after reset err = %v", err)
			}
		})
		t.Run("DisableEndsSessions", func(t *testing.T) {
			if err := st.CreateSession(ctx, "h3", uid, clock.now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := st.DisableUser(ctx, uid); err != nil {
				t.Fatal(err)
			}
			if _, err := st.SessionUser(ctx, "h3"); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("session of disabled user err = %v", err)
			}
			u, err := st.UserByID(ctx, uid)
			if err != nil || !u.Disabled {
				t.Errorf("user = %+v, %v; want disabled", u, err)
			}
			// A session created after disabling (a race with sign-in) still
			// does not authenticate.
			if err := st.CreateSession(ctx, "h4", uid, clock.now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := st.SessionUser(ctx, "h4"); !apperr.Is(err, apperr.Unauthorized) {
				t.Errorf("session of disabled user err = %v", err)
			}
		})
		t.Run("ErrForUnknownUser", func(t *testing.T) {
			if err := st.CreateSession(ctx, "h5", 99999, clock.now().Add(time.Hour)); err == nil {
				t.Error("session for a missing user was stored")
			}
		})
	})
}
