package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/industrybrain/ibrain/internal/apperr"
	"github.com/industrybrain/ibrain/internal/auth"
	"github.com/industrybrain/ibrain/internal/cultivation"
	"github.com/industrybrain/ibrain/internal/listing"
	"github.com/industrybrain/ibrain/internal/mujun"
)

// Imports of yearly facts and listing events merge a file into what is
// stored. The merge is the importer's (pure) decision, but it must see the
// stored rows of the same transaction it writes in, or a concurrent write
// between reading and writing would be lost. So each Update method reads
// the stored rows inside its transaction, hands them to the caller's merge
// function, and writes what it returns: all of it, or — when merge returns
// an error — nothing.

// EnterpriseRef is a stored enterprise's id and district.
type EnterpriseRef struct {
	ID         int64
	RegionCode string
}

// EnterpriseRefs returns credit code → id and district of every enterprise
// in scope; imports resolve their credit codes with it, so a code outside
// the scope reads as unknown.
func (s *Store) EnterpriseRefs(ctx context.Context, sc auth.Scope) (map[string]EnterpriseRef, error) {
	where, args := scopeClause(sc, "e", 1)
	rows, err := s.read.QueryContext(ctx, `SELECT e.credit_code, e.id, e.region_code FROM enterprise e WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]EnterpriseRef{}
	for rows.Next() {
		var code string
		var r EnterpriseRef
		if err := rows.Scan(&code, &r.ID, &r.RegionCode); err != nil {
			return nil, err
		}
		out[code] = r
	}
	return out, rows.Err()
}

// ImportOptions tune the Update methods.
type ImportOptions struct {
	// DryRun merges, validates and counts inside the transaction, then
	// rolls it back: `ibrain import --check` sees exactly what an import
	// would do, history rules included.
	DryRun bool
	By     string // recorded as the author where the table keeps one
	// Progress, when set, is called with the rows written so far.
	Progress func(done, total int)
}

// FactsKey names one enterprise's facts of one year.
type FactsKey struct {
	EnterpriseID int64
	Year         int
}

var errDryRun = errors.New("sqlstore: dry run")

// importTx runs fn in a transaction that DryRun rolls back.
func (s *Store) importTx(ctx context.Context, opts ImportOptions, fn func(tx *sql.Tx) error) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

func (o ImportOptions) progress(done, total int) {
	if o.Progress != nil {
		o.Progress(done, total)
	}
}

// idChunk bounds the ids of one IN list.
const idChunk = 500

// pageClause is a page's LIMIT and OFFSET written into the statement, not
// passed as parameters: with them as parameters PostgreSQL planned the
// prepared statement afresh on every execution (its generic plan assumes
// an unknown LIMIT returns a tenth of the rows, so it never wins), which
// was a third of a 亩均 results page's database time. Each page size and
// offset is then a statement of its own in the connection's cache.
func pageClause(limit, offset int) string {
	return fmt.Sprintf(" LIMIT %d OFFSET %d", max(limit, 0), max(offset, 0))
}

// inList returns "$first, $first+1, …" for n parameters.
func inList(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", first+i)
	}
	return b.String()
}

// eachIDChunk calls fn with the distinct ids in chunks and their args.
func eachIDChunk(ids []int64, fn func(chunk []int64, args []any) error) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for start := 0; start < len(ids); start += idChunk {
		chunk := ids[start:min(start+idChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if err := fn(chunk, args); err != nil {
			return err
		}
	}
	return nil
}

// checkScope fails with NotFound unless every id is an enterprise in sc,
// so the Update methods enforce the scope in SQL whatever the caller did.
func checkScope(ctx context.Context, tx *sql.Tx, sc auth.Scope, ids []int64) error {
	return eachIDChunk(ids, func(chunk []int64, args []any) error {
		where, sargs := scopeClause(sc, "e", len(chunk)+1)
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprise e WHERE e.id IN (`+inList(1, len(chunk))+`) AND `+where,
			append(args, sargs...)...).Scan(&n); err != nil {
			return err
		}
		if n != len(chunk) {
			return apperr.New(apperr.NotFound, "err.enterprise_not_found")
		}
		return nil
	})
}

func keyIDs(keys []FactsKey) []int64 {
	ids := make([]int64, len(keys))
	for i, k := range keys {
		ids[i] = k.EnterpriseID
	}
	return ids
}

// UpdateProfileFacts merges profile facts into the stored ones in one
// transaction: it reads the stored facts of keys (every enterprise must be
// in sc), calls merge with a lookup of them, validates and writes what
// merge returns. Rows whose facts equal the stored ones are left alone
// (their source too) and counted unchanged. An error from merge writes
// nothing and is returned as is.
func (s *Store) UpdateProfileFacts(ctx context.Context, sc auth.Scope, keys []FactsKey,
	merge func(stored func(id int64, year int) (cultivation.Facts, bool)) ([]cultivation.YearFacts, error), opts ImportOptions) (UpsertResult, error) {
	var res UpsertResult
	err := s.importTx(ctx, opts, func(tx *sql.Tx) error {
		res = UpsertResult{}
		if err := checkScope(ctx, tx, sc, keyIDs(keys)); err != nil {
			return err
		}
		want := map[FactsKey]bool{}
		for _, k := range keys {
			want[k] = true
		}
		docs := map[FactsKey]string{}
		err := eachIDChunk(keyIDs(keys), func(chunk []int64, args []any) error {
			rows, err := tx.QueryContext(ctx, `SELECT enterprise_id, year, facts FROM enterprise_profile WHERE enterprise_id IN (`+inList(1, len(chunk))+`)`, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var k FactsKey
				var doc string
				if err := rows.Scan(&k.EnterpriseID, &k.Year, &doc); err != nil {
					return err
				}
				if want[k] {
					docs[k] = doc
				}
			}
			return rows.Err()
		})
		if err != nil {
			return err
		}
		var decodeErr error
		merged, err := merge(func(id int64, year int) (cultivation.Facts, bool) {
			var f cultivation.Facts
			doc, ok := docs[FactsKey{id, year}]
			if !ok {
				return f, false
			}
			if err := decodeFacts(doc, &f); err != nil && decodeErr == nil {
				decodeErr = err
			}
			return f, true
		})
		if err != nil {
			return err
		}
		if decodeErr != nil {
			return decodeErr
		}
		var write []cultivation.YearFacts
		var writeDocs []string
		for _, r := range merged {
			if !want[FactsKey{r.EnterpriseID, r.Year}] {
				return fmt.Errorf("sqlstore: merge returned facts for %d/%d outside the keys", r.EnterpriseID, r.Year)
			}
			if err := r.Validate(); err != nil {
				return apperr.Wrap(err, apperr.Invalid, cultivation.MsgBadFacts, r.EnterpriseID, r.Year, err.Error())
			}
			doc, err := encodeFacts(&r.Facts)
			if err != nil {
				return err
			}
			if have, ok := docs[FactsKey{r.EnterpriseID, r.Year}]; ok && have == doc {
				res.Unchanged++
				continue
			}
			write = append(write, r)
			writeDocs = append(writeDocs, doc)
		}
		opts.progress(0, len(write))
		put, err := s.putProfileFactsTx(ctx, tx, write, writeDocs)
		if err != nil {
			return err
		}
		opts.progress(len(write), len(write))
		res.Inserted, res.Updated, res.Unchanged = put.Inserted, put.Updated, res.Unchanged+put.Unchanged
		return nil
	})
	if err != nil {
		return UpsertResult{}, err
	}
	return res, nil
}

// UpdateMujunFacts merges supplied 亩均 facts into the stored ones in one
// transaction, like UpdateProfileFacts: rows equal to the stored ones
// apart from their source are left alone and counted unchanged.
func (s *Store) UpdateMujunFacts(ctx context.Context, sc auth.Scope, keys []FactsKey,
	merge func(stored func(id int64, year int) (mujun.Supplied, bool)) ([]mujun.Supplied, error), opts ImportOptions) (UpsertResult, error) {
	var res UpsertResult
	err := s.importTx(ctx, opts, func(tx *sql.Tx) error {
		res = UpsertResult{}
		if err := checkScope(ctx, tx, sc, keyIDs(keys)); err != nil {
			return err
		}
		want := map[FactsKey]bool{}
		for _, k := range keys {
			want[k] = true
		}
		stored := map[FactsKey]mujun.Supplied{}
		err := eachIDChunk(keyIDs(keys), func(chunk []int64, args []any) error {
			rows, err := tx.QueryContext(ctx, `SELECT `+suppliedCols+` FROM mujun_facts f WHERE f.enterprise_id IN (`+inList(1, len(chunk))+`)`, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				f, err := scanSupplied(rows)
				if err != nil {
					return err
				}
				if k := (FactsKey{f.EnterpriseID, f.Year}); want[k] {
					stored[k] = f
				}
			}
			return rows.Err()
		})
		if err != nil {
			return err
		}
		merged, err := merge(func(id int64, year int) (mujun.Supplied, bool) {
			f, ok := stored[FactsKey{id, year}]
			return f, ok
		})
		if err != nil {
			return err
		}
		var write []mujun.Supplied
		for _, f := range merged {
			k := FactsKey{f.EnterpriseID, f.Year}
			if !want[k] {
				return fmt.Errorf("sqlstore: merge returned facts for %d/%d outside the keys", f.EnterpriseID, f.Year)
			}
			if err := validSupplied(f); err != nil {
				return err
			}
			have, ok := stored[k]
			switch {
			case ok && suppliedEqual(have, f):
				res.Unchanged++
				continue
			case ok:
				res.Updated++
			default:
				res.Inserted++
			}
			write = append(write, f)
		}
		opts.progress(0, len(write))
		if len(write) > 0 {
			if err := s.putMujunFactsTx(ctx, tx, write); err != nil {
				return err
			}
		}
		opts.progress(len(write), len(write))
		return nil
	})
	if err != nil {
		return UpsertResult{}, err
	}
	return res, nil
}

// suppliedEqual compares facts as stored, ignoring where they came from.
func suppliedEqual(a, b mujun.Supplied) bool {
	a.Source, b.Source = "", ""
	if len(a.Vetoes) == 0 {
		a.Vetoes = nil
	}
	if len(b.Vetoes) == 0 {
		b.Vetoes = nil
	}
	return reflect.DeepEqual(a, b)
}

// UpdateListingRecords merges listing events into the stored histories of
// ids (every enterprise must be in sc) in one transaction: merge gets each
// stored record and returns the records to store, which are validated
// with the domain's rules and written as PutListingRecords does (equal
// histories are left alone). An error from merge writes nothing.
func (s *Store) UpdateListingRecords(ctx context.Context, sc auth.Scope, ids []int64,
	merge func(stored func(id int64) listing.Record) ([]listing.Record, error), opts ImportOptions) (UpsertResult, error) {
	var res UpsertResult
	err := s.importTx(ctx, opts, func(tx *sql.Tx) error {
		stored := map[int64]listing.Record{}
		for _, id := range ids {
			if _, ok := stored[id]; ok {
				continue
			}
			f, err := s.listingRecord(ctx, tx, sc, id)
			if err != nil {
				return err
			}
			stored[id] = f.Record
		}
		recs, err := merge(func(id int64) listing.Record {
			r, ok := stored[id]
			if !ok {
				return listing.Record{EnterpriseID: id}
			}
			return listing.Record{EnterpriseID: id, Events: slices.Clone(r.Events)}
		})
		if err != nil {
			return err
		}
		for _, r := range recs {
			if _, ok := stored[r.EnterpriseID]; !ok {
				return fmt.Errorf("sqlstore: merge returned a record for %d outside the ids", r.EnterpriseID)
			}
			if err := r.Validate(); err != nil {
				return fmt.Errorf("enterprise %d: %w", r.EnterpriseID, err)
			}
		}
		opts.progress(0, len(recs))
		res, err = s.putListingRecordsTx(ctx, tx, recs, opts.By)
		opts.progress(len(recs), len(recs))
		return err
	})
	if err != nil {
		return UpsertResult{}, err
	}
	return res, nil
}
