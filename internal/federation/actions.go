package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/instruments"
)

// Remote actions: the customer's own steps on an order at a peer's
// instrument — cancelling (the home's cancellation terms and fee apply)
// and rating a paid order — taken at the home, the order's only writer,
// by a signed call on the user's behalf. Payment is not one of them: the
// owning unit records it when its invoice is paid (instruments.Invoice).

// RemoteActions are the customer actions a peer may take for its user.
var RemoteActions = []string{instruments.OrderCancel, instruments.OrderRate}

// ActionRequest is a customer action on a remote order.
type ActionRequest struct {
	Action  string   `json:"action"`
	Stars   int      `json:"stars,omitempty"` // rate
	Tags    []string `json:"tags,omitempty"`
	Comment string   `json:"comment,omitempty"`
}

// ActOnHold takes, at the home, a peer's customer action on the order of
// one of its holds, as the home's account of the remote user: the
// marketplace's own state machine, fees and rating rules apply.
// Cancelling a hold not yet confirmed expires it.
func (s *Service) ActOnHold(ctx context.Context, origin Peer, id int64, req ActionRequest) (HoldAnswer, error) {
	if err := s.enabled(); err != nil {
		return HoldAnswer{}, err
	}
	if !slices.Contains(RemoteActions, req.Action) {
		return HoldAnswer{}, apperr.New(apperr.Invalid, "instruments.err.order_action", req.Action)
	}
	h, err := s.store.HoldByID(ctx, id)
	if err != nil || h.Origin != origin.ID || h.OrderID == 0 {
		return HoldAnswer{}, apperr.New(apperr.NotFound, "federation.err.no_hold")
	}
	guest := instruments.Actor{UserID: h.UserID, Booker: true}
	switch {
	case h.State == Held && req.Action == instruments.OrderCancel:
		if err := s.expire(ctx, h); err != nil {
			return HoldAnswer{}, err
		}
		h.State = Expired
	case h.State != Confirmed:
		return HoldAnswer{}, apperr.New(apperr.Conflict, "federation.err.hold_expired")
	case req.Action == instruments.OrderRate:
		_, err = s.inst.Rate(ctx, guest, h.OrderID, req.Stars, req.Tags, req.Comment)
	default:
		_, err = s.inst.Act(ctx, guest, h.OrderID, instruments.ActRequest{Action: req.Action})
	}
	if err != nil {
		return HoldAnswer{}, err
	}
	return s.answer(ctx, h, false)
}

// Act takes the user's customer action on their booking of a peer's
// instrument at its home, and records the home's answer: the new state
// and, for a late cancellation, the home's fee. A cancelled booking's
// voucher reservation is released at once.
func (s *Service) Act(ctx context.Context, u auth.User, id int64, req ActionRequest) (RemoteBooking, error) {
	if err := s.enabled(); err != nil {
		return RemoteBooking{}, err
	}
	b, p, err := s.userBooking(ctx, u, id)
	if err != nil {
		return RemoteBooking{}, err
	}
	if !slices.Contains(RemoteActions, req.Action) {
		return RemoteBooking{}, apperr.New(apperr.Invalid, "instruments.err.order_action", req.Action)
	}
	body, _ := json.Marshal(req)
	status, resp, err := s.call(ctx, p, "POST", fmt.Sprintf("/api/v1/fed/holds/%d/actions", b.HoldID), body)
	if err != nil {
		return RemoteBooking{}, err
	}
	if status != 200 {
		return RemoteBooking{}, remoteError(status, resp)
	}
	var a HoldAnswer
	if err := json.Unmarshal(resp, &a); err != nil {
		return RemoteBooking{}, err
	}
	b.State, b.Penalty, b.UpdatedAt = a.OrderState, a.PenaltyFen, s.now()
	if a.HoldState == Expired {
		b.State = Expired
	}
	if b, err = s.store.PutRemoteBooking(ctx, b); err != nil {
		return b, err
	}
	if b.VoucherState == VoucherReserved && releases(b.State) {
		return s.settle(ctx, b)
	}
	return b, nil
}
