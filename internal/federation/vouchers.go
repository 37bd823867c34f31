package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Cross-province vouchers. A firm's innovation voucher stays with the
// instance whose bureau issued it (the user's instance). When the firm
// books a peer's instrument with its voucher, the issuer reserves the
// covered share of the estimated fee at the confirmation; the home, the
// order's only writer, reports the confirmed usage as evidence signed by
// its instance key with the order's events; the issuer verifies it and
// settles (or releases the reservation when the order ends without use).
// The home never touches the issuer's ledger, and the issuer pays only on
// a statement the home cannot later deny.

// Voucher states of a remote booking.
const (
	VoucherRequested = "requested" // asked for; reserved at the confirmation
	VoucherReserved  = "reserved"  // set aside until the home's evidence
	VoucherSettled   = "settled"   // redeemed on the evidence
	VoucherReleased  = "released"  // the order ended without use
)

// Evidence is the home's statement of an order's confirmed usage: what
// the issuer settles a voucher on. It names the hold and the key the
// origin booked with, so it cannot be presented for another booking.
type Evidence struct {
	Home            string `json:"home"`
	Origin          string `json:"origin"`
	HoldID          int64  `json:"hold_id"`
	OrderID         int64  `json:"order_id"`
	Key             string `json:"idem_key"`
	InstrumentID    int64  `json:"instrument_id"`
	Attests         string `json:"attests"` // usage_confirmed
	ActualMinutes   int    `json:"actual_minutes"`
	BillableMinutes int    `json:"billable_minutes"`
	AmountFen       int64  `json:"amount_fen"`
}

// EvidenceSigningString is what an evidence's signature covers: the
// JSON exactly as sent.
func EvidenceSigningString(evidence []byte) []byte {
	return append([]byte("ibrain-fed-v1 evidence\n"), evidence...)
}

// ErrEvidence is a refused evidence: a bad signature, or one that is not
// about the event it came with.
var ErrEvidence = apperr.New(apperr.Invalid, "federation.err.evidence")

// VoucherShare is the voucher's share of the booking as it stands: the
// settled amount once settled, the reservation before.
func (b RemoteBooking) VoucherShare() int64 {
	switch b.VoucherState {
	case VoucherSettled:
		return b.VoucherSettled
	case VoucherReserved:
		return b.VoucherReserved
	}
	return 0
}

// releases reports whether a booking's state ends it without use.
func releases(state string) bool {
	switch instruments.OrderState(state) {
	case instruments.Cancelled, instruments.Rejected, instruments.Voided, instruments.NoShow:
		return true
	}
	return state == Expired
}

// attachEvidence signs, as the home, the evidence of every event whose
// order has its usage confirmed.
func (s *Service) attachEvidence(ctx context.Context, origin Peer, evs []OrderEvent) error {
	for i := range evs {
		e := &evs[i]
		if !instruments.UsageRecorded(instruments.OrderState(e.State)) {
			continue
		}
		o, err := s.store.Order(ctx, e.OrderID)
		if err != nil {
			return err
		}
		b, err := json.Marshal(Evidence{Home: s.cfg.Instance, Origin: origin.ID, HoldID: e.HoldID, OrderID: o.ID, Key: e.Key, InstrumentID: o.InstrumentID,
			Attests: string(instruments.UsageConfirmed), ActualMinutes: o.ActualMinutes, BillableMinutes: o.BillableMinutes, AmountFen: int64(o.Amount)})
		if err != nil {
			return err
		}
		e.Evidence, e.EvidenceSig = string(b), Sign(s.key, EvidenceSigningString(b))
	}
	return nil
}

// CheckEvidence verifies an event's evidence from home p: the home's
// signature, and that it is about the event's hold, order and key and
// this instance's booking.
func (s *Service) CheckEvidence(p Peer, e OrderEvent) (Evidence, error) {
	var ev Evidence
	if !Verify(p.key, EvidenceSigningString([]byte(e.Evidence)), e.EvidenceSig) {
		return ev, fmt.Errorf("federation: %s: hold %d: the evidence's signature does not verify: %w", p.ID, e.HoldID, ErrEvidence)
	}
	if err := json.Unmarshal([]byte(e.Evidence), &ev); err != nil {
		return ev, fmt.Errorf("federation: %s: hold %d: %w", p.ID, e.HoldID, ErrEvidence)
	}
	if ev.Home != p.ID || ev.Origin != s.cfg.Instance || ev.HoldID != e.HoldID || ev.OrderID != e.OrderID || ev.Key != e.Key ||
		ev.Attests != string(instruments.UsageConfirmed) || ev.AmountFen < 0 {
		return ev, fmt.Errorf("federation: %s: hold %d: the evidence is about another order: %w", p.ID, e.HoldID, ErrEvidence)
	}
	return ev, nil
}

// ReceiveOrderEvents applies a home's order events after checking their
// evidence (any refused evidence refuses the whole page: nothing is
// applied and the cursor stays), then settles or releases the vouchers
// they decide. It returns the new order cursor.
func (s *Service) ReceiveOrderEvents(ctx context.Context, peerID string, evs []OrderEvent) (int64, error) {
	p, err := s.peer(ctx, peerID)
	if err != nil {
		return 0, err
	}
	st, err := s.store.PeerState(ctx, p.ID)
	if err != nil {
		return 0, err
	}
	return s.receiveEvents(ctx, p, st.OrderCursor, evs)
}

func (s *Service) receiveEvents(ctx context.Context, p Peer, cursor int64, evs []OrderEvent) (int64, error) {
	next := cursor
	for _, e := range evs {
		if e.Evidence != "" {
			if _, err := s.CheckEvidence(p, e); err != nil {
				return cursor, err
			}
		}
		next = max(next, e.Seq)
	}
	if err := s.store.ApplyOrderEvents(ctx, p.ID, evs, next, s.now()); err != nil {
		return cursor, err
	}
	return next, s.settleVouchers(ctx, p.ID)
}

// settleVouchers settles or releases the reserved vouchers of home's
// bookings that have their evidence or ended. It runs after every
// applied page, so a crash between the page and the settlement is made
// good by the next pull.
func (s *Service) settleVouchers(ctx context.Context, home string) error {
	bs, err := s.store.VoucherBookings(ctx, home)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.Evidence == "" && !releases(b.State) {
			continue
		}
		if _, err := s.settle(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// voucherTerms are the policy version and the ledger year of a booking:
// those of the day it was made, for its reservation and settlement alike.
func voucherTerms(b RemoteBooking) (instruments.VoucherPolicy, int, error) {
	ps, err := instruments.VoucherPolicies()
	if err != nil {
		return instruments.VoucherPolicy{}, 0, err
	}
	day := b.CreatedAt.In(instruments.Zone)
	pol, err := instruments.VoucherPolicyOn(ps, day.Format(time.DateOnly))
	return pol, day.Year(), err
}

// reserve sets the voucher's share aside once the hold is confirmed.
func (s *Service) reserve(ctx context.Context, b RemoteBooking) (RemoteBooking, error) {
	if b.VoucherState != VoucherRequested || b.State == Held || releases(b.State) {
		return b, nil
	}
	pol, year, err := voucherTerms(b)
	if err != nil {
		return b, err
	}
	var estimate unit.Fen
	if !b.Start.IsZero() {
		estimate = instruments.Charge(instruments.PerHour, unit.Fen(b.UnitPrice), int(b.End.Sub(b.Start)/time.Minute), 0)
	}
	return s.store.SettleVoucher(ctx, b.ID, func(b RemoteBooking, l instruments.LedgerView) (RemoteBooking, []instruments.Posting, error) {
		if b.VoucherState != VoucherRequested {
			return b, nil, nil // reserved by a concurrent call
		}
		ps, amt, err := instruments.PlanReserve(l, pol, b.EnterpriseID, year, b.ID, estimate)
		if err != nil {
			return b, nil, err
		}
		b.VoucherState, b.VoucherReserved = VoucherReserved, int64(amt)
		return b, ps, nil
	})
}

// settle redeems a reserved voucher on the stored evidence, or releases
// it when the order ended without use; a settled or released booking is
// left as it is, so a replayed evidence changes nothing.
func (s *Service) settle(ctx context.Context, b RemoteBooking) (RemoteBooking, error) {
	pol, year, err := voucherTerms(b)
	if err != nil {
		return b, err
	}
	now := s.now()
	return s.store.SettleVoucher(ctx, b.ID, func(b RemoteBooking, l instruments.LedgerView) (RemoteBooking, []instruments.Posting, error) {
		if b.VoucherState != VoucherReserved {
			return b, nil, nil
		}
		if b.Evidence != "" {
			var ev Evidence
			if err := json.Unmarshal([]byte(b.Evidence), &ev); err != nil {
				return b, nil, err
			}
			ps, amt, err := instruments.PlanSettle(l, pol, b.EnterpriseID, year, b.ID, unit.Fen(ev.AmountFen))
			if err != nil {
				return b, nil, err
			}
			b.VoucherState, b.VoucherSettled, b.SettledAt = VoucherSettled, int64(amt), now
			return b, ps, nil
		}
		if !releases(b.State) {
			return b, nil, nil
		}
		ps, err := instruments.PlanRelease(l, pol, b.EnterpriseID, year, b.ID)
		if err != nil {
			return b, nil, err
		}
		b.VoucherState, b.SettledAt = VoucherReleased, now
		return b, ps, nil
	})
}

// Settlements are the cross-province voucher bookings of this instance's
// firms, for its bureau: reserved, settled and released, newest first.
func (s *Service) Settlements(ctx context.Context) ([]RemoteBooking, error) {
	if err := s.enabled(); err != nil {
		return nil, err
	}
	return s.store.VoucherBookings(ctx, "")
}
