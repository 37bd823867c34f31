package instruments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/industrybrain/ibrain/internal/apperr"
)

// Photos and documents of an instrument (its page shows them). A file's
// type is decided by its content, not by the name or the client's
// claim, and only a few types are taken: what a browser shows inline
// without running anything.

// File kinds.
const (
	FilePhoto    = "photo"
	FileDocument = "document"
)

// Upload limits.
const (
	MaxPhotoBytes    = 5 << 20  // a photo
	MaxDocumentBytes = 20 << 20 // a manual, a qualification certificate
	MaxFiles         = 20       // per instrument
	MaxFileName      = 200      // characters
)

// File is a stored photo or document. Path is the name in the configured
// directory (Options.FileDir) when the bytes are kept there; empty when
// they are in the database.
type File struct {
	ID           int64
	InstrumentID int64
	Kind         string
	Name         string
	ContentType  string
	Size         int64
	SHA256       string
	Path         string
	UploadedBy   int64
	CreatedAt    time.Time
}

// FileStore keeps the files' records (and their bytes when no directory
// is configured).
type FileStore interface {
	// PutFile records a file; data is nil when the bytes are in the
	// directory.
	PutFile(ctx context.Context, f File, data []byte) (File, error)
	Files(ctx context.Context, instrumentID int64) ([]File, error)
	// FileData reads a file's record and its bytes (nil when in the
	// directory).
	FileData(ctx context.Context, id int64) (File, []byte, error)
	DeleteFile(ctx context.Context, id int64) (File, error)
}

// SniffFile returns the content type of data if kind takes it: JPEG, PNG
// or WebP photos, PDF documents.
func SniffFile(kind string, data []byte) (string, bool) {
	var ct string
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		ct = "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		ct = "image/png"
	case len(data) >= 12 && bytes.Equal(data[:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WEBP")):
		ct = "image/webp"
	case bytes.HasPrefix(data, []byte("%PDF-")):
		ct = "application/pdf"
	}
	switch kind {
	case FilePhoto:
		return ct, strings.HasPrefix(ct, "image/")
	case FileDocument:
		return ct, ct == "application/pdf"
	}
	return "", false
}

// cleanFileName keeps the base name of an upload, without control
// characters, as the download's name.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	if name == "." || name == "/" {
		name = ""
	}
	if utf8.RuneCountInString(name) > MaxFileName {
		name = string([]rune(name)[:MaxFileName])
	}
	return name
}

// UploadFile stores a photo or document of an instrument (its managers):
// within the kind's size limit, of a type the kind takes, at most
// MaxFiles per instrument.
func (s *Service) UploadFile(ctx context.Context, a Actor, instrumentID int64, kind, name string, data []byte) (File, error) {
	if _, err := s.managed(ctx, a, instrumentID); err != nil {
		return File{}, err
	}
	limit := int64(MaxPhotoBytes)
	if kind == FileDocument {
		limit = MaxDocumentBytes
	} else if kind != FilePhoto {
		return File{}, apperr.New(apperr.Invalid, "instruments.err.file_kind")
	}
	if int64(len(data)) > limit {
		return File{}, apperr.New(apperr.TooLarge, "instruments.err.file_size", limit>>20)
	}
	if len(data) == 0 {
		return File{}, apperr.New(apperr.Invalid, "instruments.err.file_empty")
	}
	ct, ok := SniffFile(kind, data)
	if !ok {
		return File{}, apperr.New(apperr.Invalid, "instruments.err.file_type")
	}
	have, err := s.store.Files(ctx, instrumentID)
	if err != nil {
		return File{}, err
	}
	if len(have) >= MaxFiles {
		return File{}, apperr.New(apperr.Conflict, "instruments.err.file_count", MaxFiles)
	}
	sum := sha256.Sum256(data)
	f := File{InstrumentID: instrumentID, Kind: kind, Name: cleanFileName(name), ContentType: ct, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: a.UserID, CreatedAt: s.now()}
	if f.Name == "" {
		f.Name = kind
	}
	if s.fileDir == "" {
		return s.store.PutFile(ctx, f, data)
	}
	// Content-addressed: the same bytes uploaded twice share one file,
	// and a name never needs escaping.
	f.Path = f.SHA256
	if err := writeAtomic(filepath.Join(s.fileDir, f.Path), data); err != nil {
		return File{}, fmt.Errorf("instruments: file: %w", err)
	}
	return s.store.PutFile(ctx, f, nil)
}

// writeAtomic writes data to path through a temporary file, so a reader
// never sees half a file.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Files lists an instrument's photos and documents.
func (s *Service) Files(ctx context.Context, instrumentID int64) ([]File, error) {
	return s.store.Files(ctx, instrumentID)
}

// File reads a file with its bytes.
func (s *Service) File(ctx context.Context, id int64) (File, []byte, error) {
	f, data, err := s.store.FileData(ctx, id)
	if err != nil || f.Path == "" {
		return f, data, err
	}
	if s.fileDir == "" {
		return f, nil, apperr.New(apperr.NotFound, "instruments.err.no_file")
	}
	data, err = os.ReadFile(filepath.Join(s.fileDir, filepath.Base(f.Path)))
	if os.IsNotExist(err) {
		return f, nil, apperr.New(apperr.NotFound, "instruments.err.no_file")
	}
	return f, data, err
}

// DeleteFile removes a file's record (the instrument's managers). Bytes
// in the directory are left: they are content-addressed, and another
// record may name them.
func (s *Service) DeleteFile(ctx context.Context, a Actor, id int64) error {
	f, _, err := s.store.FileData(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.managed(ctx, a, f.InstrumentID); err != nil {
		return err
	}
	_, err = s.store.DeleteFile(ctx, id)
	return err
}
