package quiz

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseExportReadsWhatExportWrites(t *testing.T) {
	want := validExport()
	data, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseExport(append(data, "\n\n"...))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, deepCopy(t, want)) {
		t.Errorf("ParseExport = %+v, want %+v", got, want)
	}
}

func TestParseExportNamesTheFirstBadPlaceInTheFilesTerms(t *testing.T) {
	valid, err := json.MarshalIndent(validExport(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	replace := func(old, new string) []byte {
		t.Helper()
		if !bytes.Contains(valid, []byte(old)) {
			t.Fatalf("the file has no %s", old)
		}
		return bytes.Replace(valid, []byte(old), []byte(new), 1)
	}
	for _, tc := range []struct {
		name string
		file []byte
		want string // the whole message, or its start when it ends in "…"
	}{
		{"a number as text", replace(`"stability": 2.3`, `"stability": "high"`),
			`cards[0].stability: expected a number, found the text "high"`},
		{"a fraction for a whole number", replace(`"reps": 1`, `"reps": 1.5`),
			"cards[0].reps: expected a whole number, found the number 1.5"},
		{"a list for text", replace(`"question_id": "saga-03"`, `"question_id": [3]`),
			"quizzes[0].items[1].question_id: expected text, found a list"},
		{"an object for a list", replace(`"order": [`, `"order": {"a": 1}, "x": [`),
			"quizzes[0].items[0].order: expected a list, found an object"},
		{"a field the format lacks", replace(`"card_id": "saga",`, `"card_id": "saga", "weight": 2,`),
			"cards[0].weight: the export format has no such field"},
		{"an empty key", replace(`"card_id": "saga",`, `"card_id": "saga", "": 2,`),
			`cards[0]."": the export format has no such field`},
		{"a key with a dot", replace(`"card_id": "saga",`, `"card_id": "saga", "due.x": 2,`),
			`cards[0]."due.x": the export format has no such field`},
		{"a time that is not one", replace(`"created_at": "2026-11-28T12:00:00Z"`, `"created_at": "yesterday"`),
			`quizzes[0].created_at: expected a time like 2026-01-31T09:30:00Z, found the text "yesterday"`},
		{"a time as a number", replace(`"created_at": "2026-11-28T12:00:00Z"`, `"created_at": 1764331200`),
			"quizzes[0].created_at: expected a time like 2026-01-31T09:30:00Z, found the number 1764331200"},
		{"a seed that is not a number", replace(`"seed": "7"`, `"seed": "abc"`),
			`quizzes[0].seed: expected a whole number from 0 written as text, like "42", found the text "abc"`},
		{"a seed not written as text", replace(`"seed": "7"`, `"seed": 7`),
			`quizzes[0].seed: expected a whole number from 0 written as text, like "42", found the number 7`},
		{"a negative seed", replace(`"seed": "7"`, `"seed": "-7"`),
			`quizzes[0].seed: expected a whole number from 0 written as text, like "42", found the text "-7"`},
		{"malformed JSON", replace(`"cards": [`, `"cards": [,`),
			"line 62, column 13 (byte 1189), in cards[0]: the file is not valid JSON: invalid character ',' looking for beginning of value"},
		{"a file cut short in a key", valid[:100], "line 5, column 11 (byte 100): the file ends before the export does"},
		{"a file cut short in a value", valid[:bytes.Index(valid, []byte(`"reps": 1`))+len(`"reps": `)],
			"line 71, column 15 (byte 1401), in cards[0].reps: the file ends before the export does"},
		{"an empty file", []byte(" \n"), "the file is empty"},
		{"bytes after the export", append(append([]byte{}, valid...), "\n{}"...),
			"line 86, column 1 (byte 1636): there is more after the end of the export; a file holds one export"},
		{"not an object", []byte(`[1, 2]`), "expected an object, found a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseExport(tc.file)
			var ee *ExportError
			if !errors.As(err, &ee) {
				t.Fatalf("ParseExport = %v, want an *ExportError", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("message\n%s\nwant\n%s", got, tc.want)
			}
			for _, internal := range []string{"Go ", "struct", "Export", "quiz.", "float64", "uint64", "json:", "2006"} {
				if strings.Contains(err.Error(), internal) {
					t.Errorf("message %q shows %q", err, internal)
				}
			}
		})
	}
}
