package instrumentsweb

import (
	"net/http"
	"time"

	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/web"
)

// Reviews on the wire: an instrument's list, the owner's reply and the
// operator's moderation (issue 9 item 5). Both writes are POST/PUT
// routes, so the web core records them in the audit trail.

type (
	apiReview struct {
		OrderID      int64    `json:"order_id"`
		InstrumentID int64    `json:"instrument_id"`
		Stars        int      `json:"stars"`
		Tags         []string `json:"tags"`
		Comment      string   `json:"comment"`
		CreatedAt    string   `json:"created_at"`
		Own          bool     `json:"own"`
		Reply        string   `json:"reply,omitempty"`
		RepliedAt    string   `json:"replied_at,omitempty"`
		Hidden       bool     `json:"hidden"`
		HiddenReason string   `json:"hidden_reason,omitempty"`
		Moderated    bool     `json:"moderated"`
	}
	apiReviews struct {
		Reviews []apiReview `json:"reviews"`
	}
	replyBody struct {
		Reply string `json:"reply"`
	}
	moderationBody struct {
		Action string `json:"action"`
		Reason string `json:"reason,omitempty"`
	}
)

func toAPIReview(r instruments.Review, viewerID int64) apiReview {
	out := apiReview{OrderID: r.OrderID, InstrumentID: r.InstrumentID, Stars: r.Stars, Tags: r.Tags, Comment: r.Comment,
		CreatedAt: r.CreatedAt.Format(time.RFC3339), Own: r.UserID == viewerID, Reply: r.Reply, Hidden: r.Hidden,
		HiddenReason: r.HiddenReason, Moderated: r.ModeratedBy != 0}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if !r.RepliedAt.IsZero() {
		out.RepliedAt = r.RepliedAt.Format(time.RFC3339)
	}
	return out
}

// apiReviews is GET /api/v1/instruments/{id}/reviews.
func (m *module) apiReviews(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	if _, err := m.svc.Detail(r.Context(), id); err != nil {
		return err
	}
	rs, err := m.svc.Reviews(r.Context(), actor(c), id)
	if err != nil {
		return err
	}
	out := apiReviews{Reviews: []apiReview{}}
	for _, rv := range rs {
		out.Reviews = append(out.Reviews, toAPIReview(rv, c.User.ID))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiReply is PUT /api/v1/instrument-orders/{id}/review/reply: the
// owner's reply, set or edited until the review is moderated.
func (m *module) apiReply(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var b replyBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	rv, err := m.svc.ReplyToReview(r.Context(), actor(c), id, b.Reply)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIReview(rv, c.User.ID))
	return nil
}

// apiModerate is POST /api/v1/instrument-orders/{id}/review/moderation:
// the operator hides a review with a reason or restores it.
func (m *module) apiModerate(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var b moderationBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	rv, err := m.svc.ModerateReview(r.Context(), actor(c), id, instruments.Moderation{Action: b.Action, Reason: b.Reason})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIReview(rv, c.User.ID))
	return nil
}
