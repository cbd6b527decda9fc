package app

import (
	"strings"
	"testing"
)

// The names an intake submission puts in the conflict index read in
// words wherever a hit's role is turned into words (the window and the
// command line through PartyRoleLabel, the printable report through
// HitRoleLabel), and are told apart from a client's and a party's.
func TestProspectRoleWords(t *testing.T) {
	want := map[string]string{
		"prospect":                  "Prospective client",
		"prospect_alias":            "Other name of a prospective client",
		"prospect_adverse":          "Adverse party named by a prospective client",
		"prospect_related":          "Other person named by a prospective client",
		"prospect_opposing_counsel": "Opposing counsel named by a prospective client",
	}
	for role, words := range want {
		if got := PartyRoleLabel(role); got != words {
			t.Errorf("PartyRoleLabel(%q) = %q, want %q", role, got, words)
		}
		if got := HitRoleLabel(role); got != words {
			t.Errorf("HitRoleLabel(%q) = %q, want %q", role, got, words)
		}
		if !IsProspectRole(role) {
			t.Errorf("IsProspectRole(%q) = false", role)
		}
	}
	for _, role := range []string{"client", "alias", "adverse", "joint_client", "", "prospect_x"} {
		if IsProspectRole(role) {
			t.Errorf("IsProspectRole(%q) = true", role)
		}
	}
	if got := contextWords("intake:12"); got != "On reviewing intake submission 12" {
		t.Errorf("contextWords(intake:12) = %q", got)
	}
	for _, a := range []string{"intake.view", "intake.file", "intake.verify", "intake.accept", "intake.decline", "intake.spam", "intake.summary", "intake.list"} {
		if w := ActionWords(a); strings.HasPrefix(w, "Other (") {
			t.Errorf("ActionWords(%q) = %q", a, w)
		}
	}
}
