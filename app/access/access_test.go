package access

import (
	"errors"
	"strings"
	"testing"
)

// The table in the package documentation and BuiltinRoles agree, kind by
// kind: the doc is what the README and the owner read.
func TestBuiltinTableMatchesDoc(t *testing.T) {
	want := map[string]string{ // from doc.go's table, columns Owner..Read-only
		"clients":   "edit edit edit read read",
		"matters":   "edit edit edit read read",
		"parties":   "edit edit edit read read",
		"notes":     "edit edit edit edit read",
		"conflicts": "edit edit read read read",
		"audit":     "edit read deny deny read",
		"exports":   "edit edit deny deny deny",
		"backups":   "edit edit deny deny deny",
		"users":     "edit deny deny deny deny",
		"intake":    "edit edit edit edit read",
		"documents": "edit edit edit read read",
		"retention": "edit edit deny deny read",
	}
	roles := BuiltinRoles()
	if len(roles) != 5 || roles[0].Name != OwnerRole {
		t.Fatalf("built-in roles: %v", roles)
	}
	for _, k := range Kinds {
		var got []string
		for _, r := range roles {
			if !r.Builtin {
				t.Errorf("%s not marked built-in", r.Name)
			}
			got = append(got, r.Perms.Level(k).String())
		}
		if g := strings.Join(got, " "); g != want[string(k)] {
			t.Errorf("%s: %s, doc says %s", k, g, want[string(k)])
		}
	}
}

func TestDeniedMessage(t *testing.T) {
	p, _ := BuiltinRole("paralegal")
	err := Check(p, DeleteClient)
	if !errors.Is(err, ErrDenied) {
		t.Fatalf("paralegal deletes a client: %v", err)
	}
	if got, want := err.Error(), "Your role (Paralegal) cannot delete clients; ask the owner"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if err := Check(p, EditClient); err != nil {
		t.Errorf("paralegal edits a client: %v", err)
	}
	a, _ := BuiltinRole(AttorneyRole)
	if err := Check(a, DeleteClient); err != nil {
		t.Errorf("attorney deletes a client: %v", err)
	}
	ro, _ := BuiltinRole(ReadOnlyRole)
	for _, v := range []Verb{AddClient, AddNote, DecideConfl, ExportAudit, Backup, ManageUsers} {
		if Check(ro, v) == nil {
			t.Errorf("read-only may %s", v.Words)
		}
	}
	for _, v := range []Verb{ListClients, ViewMatter, ViewNotes, Search, CheckConflict, ListAudit} {
		if err := Check(ro, v); err != nil {
			t.Errorf("read-only: %v", err)
		}
	}
}

func TestPermsJSONRoundTrip(t *testing.T) {
	p := Perms{Clients: Edit, Audit: Read}
	s := p.JSON()
	if !strings.Contains(s, `"clients":"edit"`) || !strings.Contains(s, `"users":"deny"`) {
		t.Fatalf("JSON %s", s)
	}
	q, err := ParsePerms(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds {
		if p.Level(k) != q.Level(k) {
			t.Errorf("%s: %v after round trip, want %v", k, q.Level(k), p.Level(k))
		}
	}
	for _, bad := range []string{`{"clients":"all"}`, `{"rockets":"edit"}`, `[`, `{"clients":3}`} {
		if _, err := ParsePerms(bad); err == nil {
			t.Errorf("ParsePerms(%s) accepted", bad)
		}
	}
}

func TestValidateCustom(t *testing.T) {
	if _, err := ValidateCustom(Role{Name: " paralegal ", Perms: Perms{}}); !errors.Is(err, ErrBadRole) {
		t.Errorf("a custom role named like a built-in one: %v", err)
	}
	if _, err := ValidateCustom(Role{Name: "x\ny"}); !errors.Is(err, ErrBadRole) {
		t.Errorf("a name with a line break: %v", err)
	}
	if _, err := ValidateCustom(Role{Name: strings.Repeat("a", MaxRoleName+1)}); !errors.Is(err, ErrBadRole) {
		t.Errorf("a long name: %v", err)
	}
	if _, err := ValidateCustom(Role{Name: "Clerk", Perms: Perms{"rockets": Edit}}); !errors.Is(err, ErrBadRole) {
		t.Errorf("an unknown kind: %v", err)
	}
	r, err := ValidateCustom(Role{Name: " Clerk ", Builtin: true, Perms: Perms{Notes: Edit}})
	if err != nil || r.Name != "Clerk" || r.Builtin || !r.Allows(Notes, Read) || r.Allows(Clients, Read) {
		t.Errorf("Clerk: %+v %v", r, err)
	}
}

func TestParseLevel(t *testing.T) {
	for s, want := range map[string]Level{"deny": Deny, "READ": Read, " edit ": Edit, "none": Deny} {
		if l, err := ParseLevel(s); err != nil || l != want {
			t.Errorf("ParseLevel(%q) = %v, %v", s, l, err)
		}
	}
	if _, err := ParseLevel("admin"); err == nil {
		t.Error("ParseLevel(admin) accepted")
	}
}
