package instruments

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// The owner's reply to a review and the platform's moderation of it
// (issue 9 item 5). A hidden review stays stored: its author still sees
// it, marked hidden, and the operator can restore it; nobody else sees it
// and it counts in no rating, rank or usage average.

// ReviewFilter narrows an instrument's review list.
type ReviewFilter struct {
	InstrumentID int64
	ViewerID     int64 // also lists this user's own hidden reviews
	Hidden       bool  // also lists every hidden review (the operator)
}

// MaxReplyRunes bounds a reply and a moderation reason.
const MaxReplyRunes = 500

// Moderation actions.
const (
	ModerateHide    = "hide"
	ModerateRestore = "restore"
)

// Moderation is the operator's decision on a review.
type Moderation struct {
	Action string // ModerateHide or ModerateRestore
	Reason string // required to hide
}

// Reviews lists an instrument's reviews as a sees them: the visible ones,
// their own hidden ones, and for the operator every hidden one.
func (s *Service) Reviews(ctx context.Context, a Actor, id int64) ([]Review, error) {
	return s.store.Reviews(ctx, ReviewFilter{InstrumentID: id, ViewerID: a.UserID, Hidden: a.Operator})
}

// ReplyToReview sets the owner's reply to an order's review: a manager
// assigned to the instrument or its unit's administrator, until the
// operator has moderated the review.
func (s *Service) ReplyToReview(ctx context.Context, a Actor, orderID int64, reply string) (Review, error) {
	reply = strings.TrimSpace(reply)
	if reply == "" || utf8.RuneCountInString(reply) > MaxReplyRunes {
		return Review{}, apperr.New(apperr.Invalid, "instruments.err.reply")
	}
	r, err := s.store.Review(ctx, orderID)
	if err != nil {
		return Review{}, err
	}
	d, err := s.store.InstrumentDetail(ctx, r.InstrumentID)
	if err != nil {
		return Review{}, err
	}
	ok, err := s.manages(ctx, a, d)
	if err != nil {
		return Review{}, err
	}
	if !ok {
		return Review{}, apperr.New(apperr.Forbidden, "instruments.err.reply_actor")
	}
	now := s.now()
	return s.store.UpdateReview(ctx, orderID, func(r Review) (Review, error) {
		if r.ModeratedBy != 0 {
			return Review{}, apperr.New(apperr.Conflict, "instruments.err.review_moderated")
		}
		r.Reply, r.RepliedBy, r.RepliedAt = reply, a.UserID, now
		return r, nil
	})
}

// ModerateReview hides a review with a reason or restores it (the
// platform operator).
func (s *Service) ModerateReview(ctx context.Context, a Actor, orderID int64, m Moderation) (Review, error) {
	if !a.Operator {
		return Review{}, apperr.New(apperr.Forbidden, "api.err.forbidden")
	}
	m.Reason = strings.TrimSpace(m.Reason)
	switch {
	case m.Action != ModerateHide && m.Action != ModerateRestore:
		return Review{}, apperr.New(apperr.Invalid, "instruments.err.moderation")
	case m.Action == ModerateHide && m.Reason == "", utf8.RuneCountInString(m.Reason) > MaxReplyRunes:
		return Review{}, apperr.New(apperr.Invalid, "instruments.err.hide_reason")
	}
	now := s.now()
	return s.store.UpdateReview(ctx, orderID, func(r Review) (Review, error) {
		hide := m.Action == ModerateHide
		if r.Hidden == hide {
			return Review{}, apperr.New(apperr.Conflict, "instruments.err.moderation_state")
		}
		r.Hidden, r.HiddenReason = hide, ""
		if hide {
			r.HiddenReason = m.Reason
		}
		r.ModeratedBy, r.ModeratedAt = a.UserID, now
		return r, nil
	})
}
