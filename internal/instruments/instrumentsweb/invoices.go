package instrumentsweb

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/instruments"
	"github.com/industrybrain/ibrain/internal/tabular"
	"github.com/industrybrain/ibrain/internal/unit"
	"github.com/industrybrain/ibrain/internal/web"
)

// Invoices of fees (结算单): the API, the list and detail pages (the
// detail prints) and the XLSX export.

type (
	apiInvoiceLine struct {
		OrderID         int64  `json:"order_id"`
		Kind            string `json:"kind"` // charge, cancellation_fee or no_show_fee
		InstrumentID    int64  `json:"instrument_id"`
		InstrumentName  string `json:"instrument_name"`
		Mode            string `json:"mode"`
		Start           string `json:"start,omitempty"`
		ChargeUnit      string `json:"charge_unit"`
		UnitPriceFen    int64  `json:"unit_price_fen"`
		BillableMinutes int    `json:"billable_minutes"`
		BookedMinutes   int    `json:"booked_minutes"`
		Samples         int    `json:"samples"`
		AmountFen       int64  `json:"amount_fen"`
		VoucherFen      int64  `json:"voucher_fen"`
		DueFen          int64  `json:"due_fen"`
	}
	apiInvoice struct {
		ID           int64            `json:"id"`
		Number       string           `json:"number"`
		UnitID       int64            `json:"unit_id"`
		UnitName     string           `json:"unit_name"`
		Year         int              `json:"year"`
		CustomerID   int64            `json:"customer_id"`
		CustomerName string           `json:"customer_name"`
		EnterpriseID int64            `json:"enterprise_id"`
		State        string           `json:"state"`
		AmountFen    int64            `json:"amount_fen"`
		VoucherFen   int64            `json:"voucher_fen"`
		DueFen       int64            `json:"due_fen"`
		PenaltyFen   int64            `json:"penalty_fen"` // of AmountFen, the cancellation and no-show fees
		Note         string           `json:"note"`
		IssuedAt     string           `json:"issued_at"`
		PaidAt       string           `json:"paid_at,omitempty"`
		VoidedAt     string           `json:"voided_at,omitempty"`
		VoidReason   string           `json:"void_reason,omitempty"`
		Lines        []apiInvoiceLine `json:"lines,omitempty"`
	}
	apiInvoices struct {
		Invoices []apiInvoice `json:"invoices"`
	}
	invoiceBody struct {
		OrderIDs []int64 `json:"order_ids"`
		Note     string  `json:"note"`
	}
	voidBody struct {
		Reason string `json:"reason"`
	}
)

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func toAPIInvoice(v instruments.Invoice) apiInvoice {
	out := apiInvoice{ID: v.ID, Number: v.Number, UnitID: v.UnitID, UnitName: v.UnitName, Year: v.Year, CustomerID: v.CustomerID, CustomerName: v.CustomerName,
		EnterpriseID: v.EnterpriseID, State: string(v.State), AmountFen: int64(v.Amount), VoucherFen: int64(v.Voucher), DueFen: int64(v.Due), PenaltyFen: int64(v.Penalty), Note: v.Note,
		IssuedAt: rfc(v.IssuedAt), PaidAt: rfc(v.PaidAt), VoidedAt: rfc(v.VoidedAt), VoidReason: v.VoidReason}
	for _, l := range v.Lines {
		out.Lines = append(out.Lines, apiInvoiceLine{OrderID: l.OrderID, Kind: string(l.Kind), BookedMinutes: l.BookedMinutes, InstrumentID: l.InstrumentID, InstrumentName: l.InstrumentName, Mode: string(l.Mode),
			Start: rfc(l.Start), ChargeUnit: string(l.ChargeUnit), UnitPriceFen: int64(l.UnitPrice), BillableMinutes: l.BillableMinutes, Samples: l.Samples,
			AmountFen: int64(l.Amount), VoucherFen: int64(l.Voucher), DueFen: int64(l.Due)})
	}
	return out
}

// invoiceList reads the list a request asks for: view=unit (the unit's
// staff, the operator) or the caller's own; state filters.
func (m *module) invoiceList(r *http.Request, c web.Ctx) ([]instruments.Invoice, bool, error) {
	q := r.URL.Query()
	unitView := q.Get("view") == "unit"
	if v := q.Get("view"); v != "" && v != "unit" && v != "mine" {
		return nil, false, web.BadParam("view", "unit or mine")
	}
	state := instruments.InvoiceState(q.Get("state"))
	if state != "" && state != instruments.InvoiceIssued && state != instruments.InvoicePaid && state != instruments.InvoiceVoided {
		return nil, false, web.BadParam("state", "issued, paid or voided")
	}
	vs, err := m.svc.InvoicesOf(r.Context(), actor(c), unitView, state)
	return vs, unitView, err
}

// apiInvoices is GET /api/v1/instrument-invoices.
func (m *module) apiInvoices(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	vs, _, err := m.invoiceList(r, c)
	if err != nil {
		return err
	}
	out := apiInvoices{Invoices: []apiInvoice{}}
	for _, v := range vs {
		out.Invoices = append(out.Invoices, toAPIInvoice(v))
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// apiIssueInvoice is POST /api/v1/instrument-invoices.
func (m *module) apiIssueInvoice(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	var b invoiceBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	v, err := m.svc.IssueInvoice(r.Context(), actor(c), instruments.InvoiceRequest{OrderIDs: b.OrderIDs, Note: b.Note})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, toAPIInvoice(v))
	return nil
}

// apiInvoice is GET /api/v1/instrument-invoices/{id}.
func (m *module) apiInvoice(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	v, err := m.svc.Invoice(r.Context(), actor(c), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIInvoice(v))
	return nil
}

// apiPayInvoice is POST /api/v1/instrument-invoices/{id}/pay.
func (m *module) apiPayInvoice(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	v, err := m.svc.PayInvoice(r.Context(), actor(c), id)
	if err != nil {
		return err
	}
	return m.writeInvoice(w, r, c, v.ID)
}

// apiVoidInvoice is POST /api/v1/instrument-invoices/{id}/void.
func (m *module) apiVoidInvoice(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	var b voidBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	v, err := m.svc.VoidInvoice(r.Context(), actor(c), id, b.Reason)
	if err != nil {
		return err
	}
	return m.writeInvoice(w, r, c, v.ID)
}

// writeInvoice answers with the invoice as stored after a change.
func (m *module) writeInvoice(w http.ResponseWriter, r *http.Request, c web.Ctx, id int64) error {
	v, err := m.svc.Invoice(r.Context(), actor(c), id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, toAPIInvoice(v))
	return nil
}

// apiInvoicesXLSX is GET /api/v1/instrument-invoices.xlsx: the list as a
// workbook, amounts in yuan with two decimals.
func (m *module) apiInvoicesXLSX(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	vs, unitView, err := m.invoiceList(r, c)
	if err != nil {
		return err
	}
	t := func(k string, a ...any) string { return m.core.T(c.Lang, k, a...) }
	header := []string{t("instruments.invoice.number"), t("instruments.invoice.unit"), t("instruments.invoice.customer"), t("instruments.invoice.state"),
		t("instruments.invoice.issued"), t("instruments.invoice.orders"), t("instruments.invoice.amount"), t("instruments.invoice.voucher"),
		t("instruments.invoice.due"), t("instruments.invoice.penalty"), t("instruments.invoice.paid"), t("instruments.invoice.note")}
	var rows [][]string
	for _, v := range vs {
		paid := ""
		if !v.PaidAt.IsZero() {
			paid = v.PaidAt.In(instruments.Zone).Format(time.DateOnly)
		}
		rows = append(rows, []string{v.Number, v.UnitName, v.CustomerName, t("instruments.invoice.state." + string(v.State)),
			v.IssuedAt.In(instruments.Zone).Format(time.DateOnly), strconv.Itoa(v.Orders), yuan2(v.Amount), yuan2(v.Voucher), yuan2(v.Due), yuan2(v.Penalty), paid, v.Note})
	}
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, t("instruments.invoice.sheet"), header, rows); err != nil {
		return err
	}
	name := "instrument-invoices.xlsx"
	if unitView {
		name = "instrument-invoices-unit.xlsx"
	}
	web.SendFile(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name, &buf)
	return nil
}

// feeText is an invoice's fees for its pages: empty when it has none.
func feeText(f unit.Fen) string {
	if f == 0 {
		return ""
	}
	return yuan2(f)
}

// yuan2 writes fen as yuan with two decimals, exactly (no float).
func yuan2(f unit.Fen) string {
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(f/unit.Yuan), int64(f%unit.Yuan))
}

// invoiceRow is a row of the invoice list page.
type invoiceRow struct {
	apiInvoice
	StateLabel string
	Issued     string
	Amount     string
	Voucher    string
	Due        string
	Penalty    string // the fee lines' sum, when any
}

// invoicesPage is GET /instruments/invoices: the caller's invoices, or
// with view=unit their unit's (staff) or all (operator).
type invoicesPage struct {
	web.BasePage
	Invoices []invoiceRow
	UnitView bool
	CanUnit  bool
	Export   string
	Data     pageData
}

func (m *module) invoicesPage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permOrder) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	vs, unitView, err := m.invoiceList(r, c)
	if err != nil {
		return err
	}
	lang := c.Lang
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	p := invoicesPage{UnitView: unitView, CanUnit: c.Can(permManage) || c.Can(permManageUnit) || c.Can(permOperate),
		Export: "/api/v1/instrument-invoices.xlsx", Data: pageData{Text: m.core.Prefixed(lang, "js.instruments.")}}
	if unitView {
		p.Export += "?view=unit"
	}
	p.BasePage = m.core.Base(r, c, "instruments.invoice.title", "instrument-orders")
	for _, v := range vs {
		p.Invoices = append(p.Invoices, invoiceRow{apiInvoice: toAPIInvoice(v), StateLabel: t("instruments.invoice.state." + string(v.State)),
			Issued: v.IssuedAt.In(instruments.Zone).Format(time.DateOnly), Amount: yuan2(v.Amount), Voucher: yuan2(v.Voucher), Due: yuan2(v.Due), Penalty: feeText(v.Penalty)})
	}
	return m.core.Render(w, r, c, "instrument_invoices.html", p)
}

// invoiceLineRow is a line of the invoice page.
type invoiceLineRow struct {
	apiInvoiceLine
	KindLabel string // the line's kind: usage charge, cancellation fee, no-show charge
	When      string
	Quantity  string
	Price     string
	Amount    string
	Voucher   string
	Due       string
}

// invoicePage is GET /instruments/invoices/{id}: the invoice as it
// prints, with pay and void for its unit's staff while it is issued.
type invoicePage struct {
	web.BasePage
	Inv        apiInvoice
	StateLabel string
	Issued     string
	Paid       string
	Voided     string
	Lines      []invoiceLineRow
	Amount     string
	Voucher    string
	Due        string
	Penalty    string // of Amount, the fees, when any
	CanChange  bool
	Data       pageData
}

func (m *module) invoicePage(w http.ResponseWriter, r *http.Request, c web.Ctx) error {
	if !c.Can(permOrder) {
		return apperr.New(apperr.Forbidden, "err.forbidden")
	}
	id, err := web.IDParam(r)
	if err != nil {
		return err
	}
	v, err := m.svc.Invoice(r.Context(), actor(c), id)
	if err != nil {
		return err
	}
	lang := c.Lang
	t := func(k string, a ...any) string { return m.core.T(lang, k, a...) }
	day := func(x time.Time) string {
		if x.IsZero() {
			return ""
		}
		return x.In(instruments.Zone).Format(time.DateOnly)
	}
	p := invoicePage{Inv: toAPIInvoice(v), StateLabel: t("instruments.invoice.state." + string(v.State)), Issued: day(v.IssuedAt), Paid: day(v.PaidAt),
		Voided: day(v.VoidedAt), Amount: yuan2(v.Amount), Voucher: yuan2(v.Voucher), Due: yuan2(v.Due), Penalty: feeText(v.Penalty), Data: pageData{Text: m.core.Prefixed(lang, "js.instruments.")}}
	p.BasePage = m.core.Base(r, c, "instruments.invoice.title", "instrument-orders")
	p.Scripts = []string{"app.js", "instruments.js"}
	if v.State == instruments.InvoiceIssued && (c.Can(permManage) || c.Can(permManageUnit)) {
		staff, err := m.svc.InvoiceStaff(r.Context(), actor(c), v)
		if err != nil {
			return err
		}
		p.CanChange = staff
	}
	for i, l := range v.Lines {
		row := invoiceLineRow{apiInvoiceLine: p.Inv.Lines[i], KindLabel: t("instruments.invoice.kind." + string(l.Kind)), Price: yuan2(l.UnitPrice),
			Amount: yuan2(l.Amount), Voucher: yuan2(l.Voucher), Due: yuan2(l.Due)}
		if !l.Start.IsZero() {
			row.When = l.Start.In(instruments.Zone).Format("2006-01-02 15:04")
		}
		switch {
		case l.Kind.Fee():
			// A fee is a share of the booked time's price.
			row.Quantity = t("instruments.invoice.booked", l.BookedMinutes)
		case l.ChargeUnit == instruments.PerSample:
			row.Quantity = t("instruments.invoice.samples", l.Samples)
		default:
			row.Quantity = t("instruments.invoice.minutes", l.BillableMinutes)
		}
		p.Lines = append(p.Lines, row)
	}
	return m.core.Render(w, r, c, "instrument_invoice.html", p)
}
