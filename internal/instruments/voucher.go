package instruments

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/unit"
)

// Innovation vouchers (创新券): a bureau funds a yearly budget, allocates
// part of it to firms up to a yearly cap per firm, and a firm redeems its
// allocation against confirmed orders for a share of the fee. Every
// movement is a balanced set of postings between accounts, so the sum of
// all postings is always zero and money is never created or lost.

// VoucherPolicy is one version of the voucher rules. The values are
// configuration (vouchers.json): the current Chongqing ratio is not
// public, so the shipped values are placeholders to be replaced.
type VoucherPolicy struct {
	Version         string   `json:"version"`
	EffectiveFrom   string   `json:"effective_from"`
	Issuer          string   `json:"issuer"`
	CoveredPermille int64    `json:"covered_permille"` // share of a fee the voucher pays, in ‰
	PerOrderCap     unit.Fen `json:"per_order_cap_fen"`
	PerFirmYearCap  unit.Fen `json:"per_firm_year_cap_fen"`
	Source          string   `json:"source"`
}

//go:embed vouchers.json
var vouchersJSON []byte

// VoucherPolicies returns the shipped policy versions, oldest first.
func VoucherPolicies() ([]VoucherPolicy, error) {
	var ps []VoucherPolicy
	if err := json.Unmarshal(vouchersJSON, &ps); err != nil {
		return nil, fmt.Errorf("instruments: vouchers: %w", err)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].EffectiveFrom < ps[j].EffectiveFrom })
	return ps, nil
}

// VoucherPolicyOn returns the version in force on a day (YYYY-MM-DD).
func VoucherPolicyOn(ps []VoucherPolicy, day string) (VoucherPolicy, error) {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].EffectiveFrom <= day {
			return ps[i], nil
		}
	}
	return VoucherPolicy{}, apperr.New(apperr.Invalid, "instruments.err.no_voucher_policy", day)
}

// Ledger accounts.
func issuerAccount(issuer string) string { return "issuer:" + issuer }

// BudgetAccount is a bureau's unallocated budget of a year.
func BudgetAccount(issuer string, year int) string {
	return "budget:" + issuer + ":" + strconv.Itoa(year)
}

// FirmAccount is a firm's unspent allocation of a year.
func FirmAccount(enterpriseID int64, year int) string {
	return "firm:" + strconv.FormatInt(enterpriseID, 10) + ":" + strconv.Itoa(year)
}

// RedeemedAccount is what a bureau owes providers for redeemed vouchers.
func RedeemedAccount(issuer string, year int) string {
	return "redeemed:" + issuer + ":" + strconv.Itoa(year)
}

// ReservedAccount holds what firms' vouchers set aside for orders at
// federation peers' instruments until the home's evidence settles them.
func ReservedAccount(issuer string, year int) string {
	return "reserved:" + issuer + ":" + strconv.Itoa(year)
}

// Posting is one leg of a ledger entry; the legs of an entry sum to zero.
type Posting struct {
	Account string
	Amount  unit.Fen
	Kind    string // fund, allocate, redeem, refund; reserve, settle, release for remote orders
	OrderID int64
	// Remote is the user's booking of a federation peer's instrument
	// (its id at this instance) a reserve, settle or release is for;
	// OrderID is 0 then, as the order lives at the home.
	Remote int64
}

// LedgerView is what planning an entry needs to know of the ledger.
type LedgerView interface {
	Balance(account string) unit.Fen
	// Allocated is what a firm has been allocated in a year, before any
	// redemption.
	Allocated(enterpriseID int64, year int) unit.Fen
	// Redeemed is what an order has redeemed into a redeemed account, net
	// of refunds.
	Redeemed(account string, orderID int64) unit.Fen
	// RemoteBalance is what a remote booking's postings left on an
	// account.
	RemoteBalance(account string, bookingID int64) unit.Fen
}

func entry(kind string, orderID int64, from, to string, amt unit.Fen) []Posting {
	return []Posting{{Account: from, Amount: -amt, Kind: kind, OrderID: orderID}, {Account: to, Amount: amt, Kind: kind, OrderID: orderID}}
}

// PlanFund moves money from the issuer into its budget for a year.
func PlanFund(p VoucherPolicy, year int, amt unit.Fen) ([]Posting, error) {
	if amt <= 0 {
		return nil, apperr.New(apperr.Invalid, "instruments.err.voucher_amount")
	}
	return entry("fund", 0, issuerAccount(p.Issuer), BudgetAccount(p.Issuer, year), amt), nil
}

// PlanAllocate gives a firm part of a year's budget within the yearly cap.
func PlanAllocate(l LedgerView, p VoucherPolicy, enterpriseID int64, year int, amt unit.Fen) ([]Posting, error) {
	if amt <= 0 || enterpriseID <= 0 {
		return nil, apperr.New(apperr.Invalid, "instruments.err.voucher_amount")
	}
	if l.Balance(BudgetAccount(p.Issuer, year)) < amt {
		return nil, apperr.New(apperr.Conflict, "instruments.err.voucher_budget")
	}
	if p.PerFirmYearCap > 0 && l.Allocated(enterpriseID, year)+amt > p.PerFirmYearCap {
		return nil, apperr.New(apperr.Conflict, "instruments.err.voucher_cap", int64(p.PerFirmYearCap/unit.Yuan))
	}
	return entry("allocate", 0, BudgetAccount(p.Issuer, year), FirmAccount(enterpriseID, year), amt), nil
}

// PlanRedeem pays the covered share of a confirmed order's fee from the
// firm's allocation, capped per order and by what the firm has left. It
// returns nil postings when nothing can be covered.
func PlanRedeem(l LedgerView, p VoucherPolicy, enterpriseID int64, year int, orderID int64, fee unit.Fen) ([]Posting, unit.Fen, error) {
	if fee < 0 || enterpriseID <= 0 {
		return nil, 0, apperr.New(apperr.Invalid, "instruments.err.voucher_amount")
	}
	if l.Redeemed(RedeemedAccount(p.Issuer, year), orderID) > 0 {
		return nil, 0, apperr.New(apperr.Conflict, "instruments.err.voucher_redeemed")
	}
	covered := fee * unit.Fen(p.CoveredPermille) / 1000
	if p.PerOrderCap > 0 {
		covered = min(covered, p.PerOrderCap)
	}
	covered = min(covered, l.Balance(FirmAccount(enterpriseID, year)))
	if covered <= 0 {
		return nil, 0, nil
	}
	return entry("redeem", orderID, FirmAccount(enterpriseID, year), RedeemedAccount(p.Issuer, year), covered), covered, nil
}

// PlanRefund returns an order's redemption to the firm's allocation.
func PlanRefund(l LedgerView, p VoucherPolicy, enterpriseID int64, year int, orderID int64) ([]Posting, error) {
	amt := l.Redeemed(RedeemedAccount(p.Issuer, year), orderID)
	if amt <= 0 {
		return nil, nil
	}
	return entry("refund", orderID, RedeemedAccount(p.Issuer, year), FirmAccount(enterpriseID, year), amt), nil
}

// Cross-province redemption (issue 10): a firm's voucher stays with the
// issuing instance's ledger when the firm books a federation peer's
// instrument. The issuer reserves the covered share of the estimated fee
// when the booking is confirmed, and settles it on the home's signed
// evidence of the confirmed usage (the billable amount), or releases it
// when the order ends without use. The home never posts to this ledger.

func remoteEntry(kind string, bookingID int64, from, to string, amt unit.Fen) []Posting {
	return []Posting{{Account: from, Amount: -amt, Kind: kind, Remote: bookingID}, {Account: to, Amount: amt, Kind: kind, Remote: bookingID}}
}

// coveredShare is the share of a fee a voucher pays under the policy.
func coveredShare(p VoucherPolicy, fee unit.Fen) unit.Fen {
	covered := fee * unit.Fen(p.CoveredPermille) / 1000
	if p.PerOrderCap > 0 {
		covered = min(covered, p.PerOrderCap)
	}
	return covered
}

// PlanReserve sets aside the covered share of a remote booking's
// estimated fee from the firm's allocation, capped per order and by what
// the firm has left; nil postings when nothing can be covered.
func PlanReserve(l LedgerView, p VoucherPolicy, enterpriseID int64, year int, bookingID int64, estimate unit.Fen) ([]Posting, unit.Fen, error) {
	if estimate < 0 || enterpriseID <= 0 || bookingID <= 0 {
		return nil, 0, apperr.New(apperr.Invalid, "instruments.err.voucher_amount")
	}
	if l.RemoteBalance(ReservedAccount(p.Issuer, year), bookingID) > 0 || l.RemoteBalance(RedeemedAccount(p.Issuer, year), bookingID) > 0 {
		return nil, 0, apperr.New(apperr.Conflict, "instruments.err.voucher_redeemed")
	}
	amt := min(coveredShare(p, estimate), l.Balance(FirmAccount(enterpriseID, year)))
	if amt <= 0 {
		return nil, 0, nil
	}
	return remoteEntry("reserve", bookingID, FirmAccount(enterpriseID, year), ReservedAccount(p.Issuer, year), amt), amt, nil
}

// PlanSettle redeems a remote booking on the home's evidence of its
// billable fee: the covered share of that fee, taken from the
// reservation first and, when the fee grew beyond the estimate, from
// what the firm has left; the rest of the reservation goes back to the
// firm. A booking settles once.
func PlanSettle(l LedgerView, p VoucherPolicy, enterpriseID int64, year int, bookingID int64, fee unit.Fen) ([]Posting, unit.Fen, error) {
	if fee < 0 || enterpriseID <= 0 || bookingID <= 0 {
		return nil, 0, apperr.New(apperr.Invalid, "instruments.err.voucher_amount")
	}
	reserved, redeemed, firm := ReservedAccount(p.Issuer, year), RedeemedAccount(p.Issuer, year), FirmAccount(enterpriseID, year)
	if l.RemoteBalance(redeemed, bookingID) > 0 {
		return nil, 0, apperr.New(apperr.Conflict, "instruments.err.voucher_redeemed")
	}
	held := l.RemoteBalance(reserved, bookingID)
	covered := coveredShare(p, fee)
	var ps []Posting
	fromHeld := min(covered, held)
	if fromHeld > 0 {
		ps = append(ps, remoteEntry("settle", bookingID, reserved, redeemed, fromHeld)...)
	}
	extra := min(covered-fromHeld, l.Balance(firm))
	if extra > 0 {
		ps = append(ps, remoteEntry("settle", bookingID, firm, redeemed, extra)...)
	}
	if rest := held - fromHeld; rest > 0 {
		ps = append(ps, remoteEntry("release", bookingID, reserved, firm, rest)...)
	}
	return ps, fromHeld + max(extra, 0), nil
}

// PlanRelease returns a remote booking's reservation to the firm (the
// order was cancelled, rejected, voided or missed).
func PlanRelease(l LedgerView, p VoucherPolicy, enterpriseID int64, year int, bookingID int64) ([]Posting, error) {
	held := l.RemoteBalance(ReservedAccount(p.Issuer, year), bookingID)
	if held <= 0 {
		return nil, nil
	}
	return remoteEntry("release", bookingID, ReservedAccount(p.Issuer, year), FirmAccount(enterpriseID, year), held), nil
}

// MemLedger is a ledger held in memory: the reference the store's ledger
// is tested against, and what the property test drives.
type MemLedger struct{ Postings []Posting }

// Balance sums an account's postings.
func (m *MemLedger) Balance(account string) unit.Fen {
	var s unit.Fen
	for _, p := range m.Postings {
		if p.Account == account {
			s += p.Amount
		}
	}
	return s
}

// Allocated sums a firm's allocations of a year.
func (m *MemLedger) Allocated(enterpriseID int64, year int) unit.Fen {
	var s unit.Fen
	acct := FirmAccount(enterpriseID, year)
	for _, p := range m.Postings {
		if p.Account == acct && p.Kind == "allocate" {
			s += p.Amount
		}
	}
	return s
}

// Redeemed is an order's net redemption.
func (m *MemLedger) Redeemed(account string, orderID int64) unit.Fen {
	var s unit.Fen
	for _, p := range m.Postings {
		if p.OrderID == orderID && p.Account == account {
			s += p.Amount
		}
	}
	return s
}

// RemoteBalance is what a remote booking's postings left on an account.
func (m *MemLedger) RemoteBalance(account string, bookingID int64) unit.Fen {
	var s unit.Fen
	for _, p := range m.Postings {
		if p.Remote == bookingID && p.Account == account {
			s += p.Amount
		}
	}
	return s
}

// Post appends an entry.
func (m *MemLedger) Post(ps []Posting) { m.Postings = append(m.Postings, ps...) }
