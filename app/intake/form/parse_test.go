package form

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func fixClock(t *testing.T) {
	t.Helper()
	old := now
	now = func() time.Time { return time.Date(2026, 12, 2, 12, 0, 0, 0, time.Local) }
	t.Cleanup(func() { now = old })
}

// goodValues fills in every question of the personal injury template.
func goodValues() url.Values {
	return url.Values{
		"csrf":                   {"ignored"},
		"area":                   {"personal_injury"},
		"full_name":              {"  Jane Roe\u200b "},
		"other_names":            {"Jane Smith\r\n\r\n  Janie  \r\n"},
		"date_of_birth":          {"1980-02-29"},
		"address":                {"1 Main Street  \r\nSpringfield\r\n"},
		"phone":                  {"+1 (555) 010-0199"},
		"email":                  {"jane.roe@example.com"},
		"contact_method":         {"Text message"},
		"safe_to_leave_messages": {"no"},
		"injuries":               {"Broken arm"},
		"medical_treatment":      {"City Hospital"},
		"insurance":              {"Acme Insurance, claim 123"},
		"police_report":          {"yes"},
		"description":            {"A lorry hit my car."},
		"key_dates.1.what":       {"Accident"},
		"key_dates.1.date":       {"2026-03-04"},
		"key_dates.3.what":       {"Hearing"},
		"key_dates.3.date":       {"2027-01-15"},
		"adverse_parties":        {"Acme Haulage Ltd\nJohn Doe"},
		"other_people":           {""},
		"opposing_counsel":       {"Law & Co"},
		"heard_about":            {"A friend"},
		"consent":                {"yes"},
		"not_a_question":         {"\x1b[2J ignored"},
	}
}

func TestParseReadsEveryKind(t *testing.T) {
	fixClock(t)
	answers, consent, errs := Parse(Default(), "personal_injury", goodValues())
	if errs != nil || !consent {
		t.Fatalf("errors %v, consent %v", errs, consent)
	}
	got := map[string]Answer{}
	var order []string
	for _, a := range answers {
		got[a.Key] = a
		order = append(order, a.Key)
		if err := checkAnswer(&a); err != nil {
			t.Errorf("%s: Parse made an answer Open would refuse: %v", a.Key, err)
		}
	}
	want := map[string]Answer{
		"full_name":     {Key: "full_name", Label: "Full legal name", Kind: Short, Text: "Jane Roe"},
		"other_names":   {Key: "other_names", Label: "Other or former names", Kind: Names, List: []string{"Jane Smith", "Janie"}},
		"date_of_birth": {Key: "date_of_birth", Label: "Date of birth", Kind: Date, Text: "1980-02-29"},
		"address":       {Key: "address", Label: "Home address", Kind: Long, Text: "1 Main Street\nSpringfield"},
		"key_dates": {Key: "key_dates", Label: "Important dates", Kind: Dates,
			Dates: []KeyDate{{"Accident", "2026-03-04"}, {"Hearing", "2027-01-15"}}},
		"safe_to_leave_messages": {Key: "safe_to_leave_messages", Label: "Is it safe to leave you a message?", Kind: YesNo, Text: "no"},
		"contact_method":         {Key: "contact_method", Label: "How should we contact you?", Kind: Choice, Text: "Text message"},
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s = %+v, want %+v", k, got[k], w)
		}
	}
	if _, ok := got["other_people"]; ok {
		t.Error("an empty answer was kept")
	}
	if _, ok := got["not_a_question"]; ok {
		t.Error("a field the area does not ask was kept")
	}
	if order[0] != "full_name" || order[len(order)-1] != "heard_about" {
		t.Errorf("answers out of the order asked: %v", order)
	}
	// What Parse returns seals and opens.
	id, rcpt := testIdentity(t)
	s := sampleSubmission()
	s.Answers = answers
	if _, _, err := Open(strings.NewReader(string(seal(t, rcpt, s, nil))), []string{id}, Limits{}); err != nil {
		t.Fatal(err)
	}
}

func TestParseMessagesBesideEachField(t *testing.T) {
	fixClock(t)
	long := strings.Repeat("a", MaxShortChars+1)
	cases := []struct {
		name, field, value, want string
	}{
		{"name missing", "full_name", "", "Please enter your full legal name."},
		{"name blank", "full_name", " \u200b\t", ""}, // tab: a control character in one line
		{"name invisible only", "full_name", " \u200b ", "Please enter your full legal name."},
		{"required missing", "phone", "", "Please answer this question."},
		{"escape code", "full_name", "Jane\x1b[31m", "invisible control character"},
		{"NUL", "heard_about", "a\x00b", "invisible control character"},
		{"newline in one line", "full_name", "Jane\nRoe", "Please keep this to one line."},
		{"line separator in one line", "full_name", "Jane\u2028Roe", "Please keep this to one line."},
		{"invalid UTF-8", "full_name", "Jane\xff", "characters that cannot be read"},
		{"bidi override", "full_name", "Jane\u202eeoR", "changes the direction"},
		{"bidi isolate in long text", "description", "x\u2066y", "changes the direction"},
		{"bidi override in a names list", "adverse_parties", "Acme\n\u202dEvil", "changes the direction"},
		{"too long", "full_name", long, "at most 200 characters"},
		{"long text too long", "description", strings.Repeat("é", MaxLongChars+1), "at most 5000 characters"},
		{"date loose", "date_of_birth", "1980-2-3", "Please enter the date as YYYY-MM-DD, for example 1980-02-03."},
		{"date other order", "date_of_birth", "03/02/1980", "Please enter a date like 2026-03-04"},
		{"date not real", "date_of_birth", "1981-02-29", "This is not a real date: February 1981 has 28 days."},
		{"date of birth in the future", "date_of_birth", "2026-12-03", "This date is in the future."},
		{"date of birth long ago", "date_of_birth", "1850-01-01", "more than 130 years ago"},
		{"email without domain", "email", "jane@", "Please enter an e-mail address like name@example.com."},
		{"email with a space", "email", "jane roe@example.com", "e-mail address like"},
		{"email with two @", "email", "a@b@example.com", "e-mail address like"},
		{"email with brackets", "email", "<a@example.com>", "e-mail address like"},
		{"phone letters", "phone", "call me", "Please enter a phone number"},
		{"phone too short", "phone", "123", "Please enter a phone number"},
		{"phone with an extension (the client record refuses letters)", "phone", "555 0100 x12", "Please enter a phone number"},
		{"phone over 31 characters", "phone", "+1 (555) 010-0199 / 010-0199 / 01", "Please enter a phone number"},
		{"email the client record refuses", "email", "a@b.c", "e-mail address like"},
		{"phone too many digits", "phone", strings.Repeat("1", 21), "Please enter a phone number"},
		{"yes or no other", "police_report", "maybe", "Please choose yes or no."},
		{"choice not offered", "contact_method", "Carrier pigeon", "Please choose one of the options."},
		{"choice almost", "contact_method", "phone", "Please choose one of the options."},
		{"too many names", "adverse_parties", strings.Repeat("Name\n", MaxNames+1), "at most 20 names"},
		{"a name too long", "adverse_parties", "ok\n" + long, "at most 200 characters"},
		{"a huge list", "adverse_parties", strings.Repeat("\n", 1<<20) + "Name", "at most 20 names"},
		{"date row without a date", "key_dates.2.what", "Letter", "Line 2: please enter the date of “Letter”."},
		{"date row without what", "key_dates.2.date", "2026-01-01", "Line 2: please say what happened on 2026-01-01."},
		{"date row bad date", "key_dates.2.date", "yesterday", "Line 2: please enter a date like"},
		{"date row escape", "key_dates.2.what", "a\x1bb", "Line 2, what happened: this has an invisible control character"},
	}
	for _, c := range cases {
		v := goodValues()
		v.Set(c.field, c.value)
		if strings.HasPrefix(c.field, "key_dates.2") {
			other := "key_dates.2.date"
			if c.field == other {
				other = "key_dates.2.what"
			}
			if c.name == "date row bad date" {
				v.Set("key_dates.2.what", "Letter")
			} else {
				v.Del(other)
			}
		}
		_, _, errs := Parse(Default(), "personal_injury", v)
		key, _, _ := strings.Cut(c.field, ".")
		got := errs[key]
		if c.want == "" {
			if got == "" {
				t.Errorf("%s: no message", c.name)
			}
		} else if !strings.Contains(got, c.want) {
			t.Errorf("%s: message %q, want one with %q (all: %v)", c.name, got, c.want, errs)
		}
		if len(errs) != 1 {
			t.Errorf("%s: %d messages, want 1: %v", c.name, len(errs), errs)
		}
		for _, m := range errs {
			if strings.ContainsAny(m, "\x1b\x00\u202e") || strings.Contains(m, "Jane\xff") {
				t.Errorf("%s: the message echoes what was typed unsafely: %q", c.name, m)
			}
		}
	}
}

func TestParseConsentAndAreaAndRepeats(t *testing.T) {
	fixClock(t)
	v := goodValues()
	v.Del("consent")
	_, consent, errs := Parse(Default(), "personal_injury", v)
	if consent || !strings.Contains(errs[FieldConsent], "tick the box") {
		t.Errorf("no consent: %v %v", consent, errs)
	}
	v.Set("consent", "on")
	if _, consent, errs = Parse(Default(), "personal_injury", v); consent || errs[FieldConsent] == "" {
		t.Errorf("consent=on: %v %v", consent, errs)
	}
	v = goodValues()
	v["full_name"] = []string{"Jane", "John"}
	if _, _, errs = Parse(Default(), "personal_injury", v); errs["full_name"] != msgTwice {
		t.Errorf("a field sent twice: %v", errs)
	}
	v = goodValues()
	v["consent"] = []string{"yes", "yes"}
	if _, _, errs = Parse(Default(), "personal_injury", v); errs[FieldConsent] != msgTwice {
		t.Errorf("consent sent twice: %v", errs)
	}
	if _, _, errs = Parse(Default(), "no_such_area", goodValues()); errs[FieldArea] != msgArea {
		t.Errorf("an unknown area: %v", errs)
	}
	// Another area asks other questions: the personal injury ones are ignored there.
	answers, _, errs := Parse(Default(), "general", goodValues())
	if errs != nil {
		t.Fatal(errs)
	}
	for _, a := range answers {
		if a.Key == KeyInjuries {
			t.Error("general kept a personal injury answer")
		}
	}
}

func TestParseLawyersOwnQuestions(t *testing.T) {
	fixClock(t)
	c := Default()
	c.Questions = append(c.Questions,
		Question{Key: "q1", Label: "Short one", Kind: Short},
		Question{Key: "q2", Label: "Long one", Kind: Long},
		Question{Key: "q3", Label: "A day", Kind: Date},
		Question{Key: "q4", Label: "Yes?", Kind: YesNo},
		Question{Key: "q5", Label: "Pick", Kind: Choice, Choices: []string{"A <b>", "B"}})
	a, _ := c.Area("general")
	a.Questions = append(a.Questions, "q1", "q2", "q3", "q4", "q5")
	a.Required = append(a.Required, "q4")
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"full_name": {"Jane"}, "phone": {"5550100199"}, "description": {"x"}, "consent": {"yes"},
		"q1": {"s"}, "q2": {"l1\nl2"}, "q3": {"2030-01-01"}, "q4": {"yes"}, "q5": {"A <b>"}}
	answers, _, errs := Parse(c, "general", v)
	if errs != nil {
		t.Fatal(errs)
	}
	n := len(answers)
	if n < 5 || answers[n-1].Text != "A <b>" || answers[n-3].Text != "2030-01-01" {
		t.Errorf("answers %+v", answers)
	}
	v.Del("q4")
	v.Set("q3", "2030-13-01")
	_, _, errs = Parse(c, "general", v)
	if errs["q4"] != msgRequired || !strings.Contains(errs["q3"], "not a real date") {
		t.Errorf("errors %v", errs)
	}
}

// FuzzParse: whatever is posted, Parse does not panic, and every answer it
// returns without errors is one Open would accept.
func FuzzParse(f *testing.F) {
	f.Add("full_name", "Jane Roe", "adverse_parties", "Acme\nJohn", "key_dates.1.date", "2026-03-04")
	f.Add("full_name", "\x1b[2J", "email", "a@b.co", "phone", "+1 555")
	f.Add("date_of_birth", "1980-02-30", "description", "x\r\ny\u2028z", "contact_method", "Post")
	f.Add("full_name", "\xff\xfe", "key_dates.4.what", "\u202e", "safe_to_leave_messages", "yes")
	c := Default()
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		v := url.Values{"full_name": {"Jane"}, "phone": {"555 0100 199"}, "description": {"d"}, "charges": {"c"},
			"estate_help": {"A trust"}, "immigration_help": {"Asylum"}, "consent": {"yes"}}
		v.Set(k1, v1)
		v.Add(k2, v2)
		v.Set(k3, v3)
		for _, a := range c.Areas {
			answers, _, errs := Parse(c, a.Key, v)
			if errs != nil {
				for k, m := range errs {
					if m == "" || !strings.HasSuffix(m, ".") {
						t.Fatalf("%s: message %q", k, m)
					}
				}
				continue
			}
			for i := range answers {
				if err := checkAnswer(&answers[i]); err != nil {
					t.Fatalf("area %s: Parse accepted %+v, which Open refuses: %v", a.Key, answers[i], err)
				}
			}
		}
	})
}
