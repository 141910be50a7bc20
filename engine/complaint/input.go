package complaint

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"tracecode/engine/store"
)

// Limits of a complaint.
const (
	MaxPhotos    = 3
	MaxPhotoSize = 1 << 20 // bytes per photo
	MaxText      = 2000    // characters of the description
	MinText      = 5
	// MaxBody bounds a complaint's request body: the JSON with its photos
	// in base64, or the report form with its files.
	MaxBody = 5 << 20
)

// Input is a complaint as filed.
type Input struct {
	Code      string
	Name      string
	Phone     string
	Anonymous bool
	Text      string
	Photos    [][]byte
	RequestID string
}

// Body is the JSON body of POST /v1/complaints.
type Body struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Phone     string   `json:"phone"`
	Anonymous bool     `json:"anonymous"`
	Text      string   `json:"text"`
	Photos    []string `json:"photos"` // standard base64
	RequestID string   `json:"request_id"`
}

// ParseBody reads a complaint's JSON body and checks it (Input.Check).
func ParseBody(b []byte) (Input, error) {
	var in Input
	if len(b) > MaxBody {
		return in, fmt.Errorf("%w: body: longer than %d bytes", ErrInvalid, MaxBody)
	}
	var x Body
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&x); err != nil {
		return in, fmt.Errorf("%w: body: %v", ErrInvalid, err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return in, fmt.Errorf("%w: body: trailing data after the JSON object", ErrInvalid)
	}
	in = Input{Code: x.Code, Name: x.Name, Phone: x.Phone, Anonymous: x.Anonymous, Text: x.Text, RequestID: x.RequestID}
	if len(x.Photos) > MaxPhotos {
		return in, fmt.Errorf("%w: photos: at most %d", ErrInvalid, MaxPhotos)
	}
	for i, p := range x.Photos {
		raw, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			return in, fmt.Errorf("%w: photos[%d]: not base64", ErrInvalid, i)
		}
		in.Photos = append(in.Photos, raw)
	}
	return in, in.Check()
}

func checkText(field, s string, max int) error {
	switch {
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s is not UTF-8", ErrInvalid, field)
	case utf8.RuneCountInString(s) > max:
		return fmt.Errorf("%w: %s is longer than %d characters", ErrInvalid, field, max)
	case strings.ContainsRune(s, 0):
		return fmt.Errorf("%w: %s holds a NUL character", ErrInvalid, field)
	}
	return nil
}

// checkPhone accepts 7 to 20 digits with an optional leading + and
// spaces or hyphens between them.
func checkPhone(p string) error {
	digits := 0
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-':
		default:
			return fmt.Errorf("%w: phone: %q is not a phone number (digits, +, spaces, hyphens)", ErrInvalid, truncate(p, 30))
		}
	}
	if digits < 7 || digits > 20 {
		return fmt.Errorf("%w: phone: %d digits; want 7 to 20", ErrInvalid, digits)
	}
	return nil
}

// Check checks in's fields, naming the first at fault: a code, a
// description, a name and phone unless anonymous, photos of a known type
// and size.
func (in *Input) Check() error {
	in.Code, in.Name, in.Phone = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone)
	for _, f := range []struct {
		name, v string
		max     int
	}{{"code", in.Code, 300}, {"name", in.Name, 50}, {"text", in.Text, MaxText}, {"request_id", in.RequestID, 64}} {
		if err := checkText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if in.Code == "" {
		return fmt.Errorf("%w: code: the code of the product complained about is required", ErrInvalid)
	}
	if utf8.RuneCountInString(strings.TrimSpace(in.Text)) < MinText {
		return fmt.Errorf("%w: text: describe the problem (at least %d characters)", ErrInvalid, MinText)
	}
	if !in.Anonymous {
		if in.Name == "" {
			return fmt.Errorf("%w: name: required unless the report is anonymous", ErrInvalid)
		}
		if in.Phone == "" {
			return fmt.Errorf("%w: phone: required unless the report is anonymous", ErrInvalid)
		}
	}
	if in.Phone != "" {
		if err := checkPhone(in.Phone); err != nil {
			return err
		}
	}
	if len(in.Photos) > MaxPhotos {
		return fmt.Errorf("%w: photos: at most %d", ErrInvalid, MaxPhotos)
	}
	for i, p := range in.Photos {
		if len(p) > MaxPhotoSize {
			return fmt.Errorf("%w: photos[%d]: %d bytes; at most %d", ErrInvalid, i, len(p), MaxPhotoSize)
		}
		if PhotoType(p) == "" {
			return fmt.Errorf("%w: photos[%d]: not a JPEG, PNG or WebP image", ErrInvalid, i)
		}
	}
	return nil
}

// Photo types (stored as a byte).
var photoTypes = [...]string{"", "image/jpeg", "image/png", "image/webp"}

// PhotoType returns the image type of b by its magic bytes ("" when it
// is not JPEG, PNG or WebP).
func PhotoType(b []byte) string {
	switch {
	case len(b) >= 4 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return photoTypes[1]
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return photoTypes[2]
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return photoTypes[3]
	}
	return ""
}

func photoTypeByte(b []byte) byte {
	t := PhotoType(b)
	for i, n := range photoTypes {
		if i > 0 && n == t {
			return byte(i)
		}
	}
	return 0
}

// PhotoKey returns the store key of a photo: its SHA-256.
func PhotoKey(sum [32]byte) []byte { return store.ComplaintPhotoKey(&sum) }

func photoSum(b []byte) [32]byte { return sha256.Sum256(b) }
