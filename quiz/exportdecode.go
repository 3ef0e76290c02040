package quiz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
)

// ParseExport reads an export file: exactly one JSON object of the export
// format, with no field the format does not have and nothing after it.
// When the file is not that, the error is an *ExportError that names the
// place in the file (a field's path, or the line and column of a syntax
// error) and what was expected there, in the file's terms: never the name
// of a Go type, which encoding/json's own messages give. ParseExport does
// not check what the values mean; Export.Check does.
func ParseExport(data []byte) (Export, error) {
	var e Export
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		// encoding/json says what went wrong in terms of our types and
		// without indices; walking the file again against the same types
		// says where, in the file's terms. It is only done for a bad file.
		return Export{}, explain(data)
	}
	end := int(dec.InputOffset())
	rest := bytes.TrimLeft(data[end:], " \t\r\n")
	if len(rest) > 0 {
		return Export{}, &ExportError{Problem: fmt.Sprintf("%s: there is more after the end of the export; a file holds one export",
			position(data, len(data)-len(rest)))}
	}
	return e, nil
}

// explain finds the first problem in a file that encoding/json refused,
// by walking its tokens against the Export type.
func explain(data []byte) *ExportError {
	w := &walker{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber()
	err := w.value(reflect.TypeFor[Export](), false)
	if err == nil {
		// The walk and encoding/json disagree; say no more than this
		// rather than show encoding/json's message.
		err = &ExportError{Problem: "the file does not have the form of a Microlab export"}
	}
	return err
}

// walker walks a JSON document token by token against a Go type, keeping
// the path of the value it is in.
type walker struct {
	data []byte
	dec  *json.Decoder
	path []string // "name" or "[i]" segments
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// here is the path of the current value, like "quizzes[0].seed".
func (w *walker) here() string {
	var b strings.Builder
	for _, seg := range w.path {
		if b.Len() > 0 && !strings.HasPrefix(seg, "[") {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

// keySegment is a key as a path names it: as it is when it could be a
// field's name, else quoted, so that a key with a dot, a bracket or
// nothing in it cannot make the path read as another.
func keySegment(key string) string {
	plain := key != ""
	for i := 0; i < len(key); i++ {
		c := key[i]
		plain = plain && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')
	}
	if plain && len(key) <= 40 {
		return key
	}
	return fmt.Sprintf("%q", clip(key))
}

// token reads the next token, turning a syntax error or an early end into
// an *ExportError with its line and column.
func (w *walker) token() (json.Token, *ExportError) {
	tok, err := w.dec.Token()
	if err == nil {
		return tok, nil
	}
	where := ""
	if p := w.here(); p != "" {
		where = ", in " + p
	}
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return nil, &ExportError{Problem: fmt.Sprintf("%s%s: the file is not valid JSON: %s",
			position(w.data, int(syn.Offset)), where, syn.Error())}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		if len(bytes.TrimSpace(w.data)) == 0 {
			return nil, &ExportError{Problem: "the file is empty"}
		}
		return nil, &ExportError{Problem: fmt.Sprintf("%s%s: the file ends before the export does", position(w.data, len(w.data)), where)}
	}
	return nil, &ExportError{Path: w.here(), Problem: "the file could not be read here"}
}

// value walks the next value, which is to fill a t; quoted is the
// ",string" option, under which a number is written as a string.
func (w *walker) value(t reflect.Type, quoted bool) *ExportError {
	tok, err := w.token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil // null leaves any field as it is, as encoding/json does
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	delim, isDelim := tok.(json.Delim)
	switch {
	case t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(unmarshalerType):
		if delim != '{' {
			return w.mismatch(t, tok, quoted)
		}
		return w.object(t)
	case t.Kind() == reflect.Slice:
		if delim != '[' {
			return w.mismatch(t, tok, quoted)
		}
		return w.array(t.Elem())
	case isDelim:
		return w.mismatch(t, tok, quoted)
	}
	return w.leaf(t, tok, quoted)
}

// object walks an object's members against struct t's JSON fields.
func (w *walker) object(t reflect.Type) *ExportError {
	fields := jsonFields(t)
	for w.dec.More() {
		tok, err := w.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string) // a key is always a string
		f, ok := fields[key]
		if !ok {
			for name, g := range fields { // encoding/json also matches keys ignoring case
				if strings.EqualFold(name, key) {
					f, ok = g, true
					break
				}
			}
		}
		w.path = append(w.path, keySegment(key))
		if !ok {
			return &ExportError{Path: w.here(), Problem: "the export format has no such field"}
		}
		if err := w.value(f.typ, f.quoted); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
	}
	_, err := w.token() // '}'
	return err
}

// array walks an array's elements, each to fill an elem.
func (w *walker) array(elem reflect.Type) *ExportError {
	for i := 0; w.dec.More(); i++ {
		w.path = append(w.path, fmt.Sprintf("[%d]", i))
		if err := w.value(elem, false); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
	}
	_, err := w.token() // ']'
	return err
}

// leaf checks a scalar by decoding it alone with encoding/json into a t,
// so that what is accepted is exactly what the real decoding accepts.
func (w *walker) leaf(t reflect.Type, tok json.Token, quoted bool) *ExportError {
	raw, err := json.Marshal(tok) // a json.Number marshals as its digits
	if err != nil {
		return w.mismatch(t, tok, quoted)
	}
	if quoted {
		s, ok := tok.(string)
		if !ok {
			return w.mismatch(t, tok, quoted)
		}
		raw = []byte(s)
	}
	if json.Unmarshal(raw, reflect.New(t).Interface()) != nil {
		return w.mismatch(t, tok, quoted)
	}
	return nil
}

// mismatch says what the file has at the current path and what the format
// wants there.
func (w *walker) mismatch(t reflect.Type, tok json.Token, quoted bool) *ExportError {
	want := expected(t)
	if quoted {
		want += ` written as text, like "42"`
	}
	return &ExportError{Path: w.here(), Problem: fmt.Sprintf("expected %s, found %s", want, found(tok))}
}

// expected names what a t is written as in the file.
func expected(t reflect.Type) string {
	switch {
	case t == timeType:
		return "a time like 2026-01-31T09:30:00Z"
	case t.Kind() == reflect.Struct:
		return "an object"
	case t.Kind() == reflect.Slice:
		return "a list"
	case t.Kind() == reflect.String:
		return "text"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		return "a whole number"
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64:
		return "a whole number from 0"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	}
	return "another kind of value"
}

// found describes a token of the file.
func found(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "a list"
	case string:
		return fmt.Sprintf("the text %q", clip(v))
	case json.Number:
		return "the number " + clip(v.String())
	case bool:
		return fmt.Sprint(v)
	}
	return "null"
}

// field is one JSON field of a struct: its type and whether it has the
// ",string" option.
type field struct {
	typ    reflect.Type
	quoted bool
}

// jsonFields lists struct t's fields by their JSON names, read from the
// same tags encoding/json reads, so the format is written down once.
func jsonFields(t reflect.Type) map[string]field {
	fields := make(map[string]field, t.NumField())
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = field{typ: f.Type, quoted: strings.Contains(","+opts+",", ",string,")}
	}
	return fields
}

// position is the line and column (from 1) of byte offset off in data,
// and the offset, for a text editor and for anything else.
func position(data []byte, off int) string {
	off = min(off, len(data))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("line %d, column %d (byte %d)", line, col, off)
}
