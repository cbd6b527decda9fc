package app

import (
	"errors"
	"testing"
)

// A date of birth that is no day of the calendar is refused in
// human.ParseDate's words, and one written another way says how to write it.
func TestDateOfBirthInWords(t *testing.T) {
	t.Parallel()
	s, _, _ := testSession(t)
	for dob, want := range map[string]string{
		"1980-02-30": "1980-02-30 is not a real date: February 1980 has 29 days",
		"1980-2-3":   "1980-2-3 is not a date: write it as YYYY-MM-DD, for example 1980-02-03",
	} {
		_, err := s.AddClient(ctx, ClientInput{Name: ptr("Jane Roe"), DOB: ptr(dob)})
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "dob" || fe.Message != want {
			t.Errorf("DOB %q: %v, want the dob field: %s", dob, err, want)
		}
	}
	if _, err := s.AddClient(ctx, ClientInput{Name: ptr("Jane Roe"), DOB: ptr("1980-02-29")}); err != nil {
		t.Errorf("a real leap day: %v", err)
	}
}
