package app

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"casevault/app/access"
	"casevault/app/intake/form"
	"casevault/store"
)

func init() {
	matrixMore = append(matrixMore, func() []matrixOp {
		return []matrixOp{
			{name: "Session.IntakeForm", verbs: vs(access.ViewIntake), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.IntakeForm(ctx)
				return err
			}},
			{name: "Session.SaveIntakeForm", verbs: vs(access.EditIntake), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.SaveIntakeForm(ctx, form.Default())
				return err
			}},
			{name: "Session.IntakeRecipient", verbs: vs(access.EditIntake), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.IntakeRecipient(ctx)
				return err
			}},
			{name: "Session.IntakeTLS", verbs: vs(access.EditIntake), run: func(t *testing.T, s *Session, fx *matrixFix, _ any, _ access.Role) error {
				_, err := s.IntakeTLS(ctx, []net.IP{net.IPv4(127, 0, 0, 2)})
				return err
			}},
		}
	})
	matrixDeniedMore[access.ReadOnlyRole] = append(matrixDeniedMore[access.ReadOnlyRole], "Session.IntakeRecipient", "Session.IntakeTLS", "Session.SaveIntakeForm")
	matrixNoCheck["Session.ImportIntake"] = "it shows nothing but counts, and whoever unlocks moves what clients sent off the disk into the vault (Open runs it)"
}

// TestIntakeForm: the default form until one is saved; each save is the
// next version, kept; the privacy notice's version goes up exactly when
// its text changes, whatever the caller says; an invalid form is refused
// in the lawyer's words and saves nothing; every save is audited.
func TestIntakeForm(t *testing.T) {
	s, _, _ := testSession(t)
	c, err := s.IntakeForm(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, form.Default()) || c.Version != 0 {
		t.Fatalf("the form before any save = version %d, want form.Default()", c.Version)
	}
	c.Areas[0].Label = "Family matters"
	c.Notice.Version = 99 // not the caller's to set
	v, err := s.SaveIntakeForm(ctx, c)
	if err != nil || v != 1 {
		t.Fatalf("first save = %d, %v", v, err)
	}
	if e := lastAudit(t, s); e.Action != "intake.form" || e.Detail != "version 1" {
		t.Errorf("audit = %+v", e)
	}
	if c.Version != 0 || c.Notice.Version != 99 {
		t.Error("SaveIntakeForm changed the caller's form")
	}
	got, err := s.IntakeForm(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.Areas[0].Label != "Family matters" || got.Notice.Version != 1 {
		t.Errorf("saved form = version %d, area %q, notice %d", got.Version, got.Areas[0].Label, got.Notice.Version)
	}
	got.Notice.Text = "We keep your answers in an encrypted vault on this laptop."
	if v, err = s.SaveIntakeForm(ctx, got); err != nil || v != 2 {
		t.Fatalf("second save = %d, %v", v, err)
	}
	if e := lastAudit(t, s); e.Detail != "version 2; privacy notice changed (now version 2)" {
		t.Errorf("audit = %q", e.Detail)
	}
	got, _ = s.IntakeForm(ctx)
	got.Notice.Version = 1
	if v, err = s.SaveIntakeForm(ctx, got); err != nil || v != 3 {
		t.Fatalf("third save = %d, %v", v, err)
	}
	got, _ = s.IntakeForm(ctx)
	if got.Version != 3 || got.Notice.Version != 2 {
		t.Errorf("after a save with the same notice: form %d, notice %d; want 3, 2", got.Version, got.Notice.Version)
	}
	err = s.st.View(ctx, func(tx *store.Tx) error {
		f, err := tx.GetIntakeForm(1)
		if err == nil && !strings.Contains(f.Config, "Family matters") {
			t.Errorf("version 1 was not kept: %s", f.Config)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// Invalid: the lawyer's words, nothing saved, nothing audited.
	n := auditCount(t, s)
	bad := got.Clone()
	bad.Notice.Text = "  "
	_, err = s.SaveIntakeForm(ctx, bad)
	var fe *form.FieldError
	if !errors.As(err, &fe) || !errors.Is(err, form.ErrInvalid) || fe.Field != "notice.text" || err.Error() != fe.Message {
		t.Errorf("an empty notice: %v", err)
	}
	if _, err := s.SaveIntakeForm(ctx, nil); !errors.Is(err, form.ErrInvalid) {
		t.Errorf("no form: %v", err)
	}
	if c, _ := s.IntakeForm(ctx); c.Version != 3 || auditCount(t, s) != n {
		t.Errorf("a refused save saved version %d or wrote %d audit entries", c.Version, auditCount(t, s)-n)
	}
}

// TestIntakeRecipient: the key pair is made on first need, once, audited;
// later calls give the same public key; the private key is in the vault
// only, and opens what the public key seals. A role without intake edit
// may not make it.
func TestIntakeRecipient(t *testing.T) {
	s, _, _ := testSession(t)
	n := auditCount(t, s)
	rec, err := s.IntakeRecipient(ctx)
	if err != nil || !strings.HasPrefix(rec, "age1") {
		t.Fatalf("IntakeRecipient = %q, %v", rec, err)
	}
	if e := lastAudit(t, s); e.Action != "intake.key" || auditCount(t, s) != n+1 || strings.Contains(e.Detail, "AGE-SECRET") {
		t.Errorf("audit = %+v", e)
	}
	again, err := s.IntakeRecipient(ctx)
	if err != nil || again != rec || auditCount(t, s) != n+1 {
		t.Errorf("second call = %q, %v (%d more audit entries)", again, err, auditCount(t, s)-n-1)
	}
	ids, err := s.intakeIdentities(ctx)
	if err != nil || len(ids) != 1 {
		t.Fatalf("identities = %d, %v", len(ids), err)
	}
	id, err := age.ParseX25519Identity(ids[0])
	if err != nil || id.Recipient().String() != rec {
		t.Errorf("the stored identity does not match the recipient: %v", err)
	}
	actAs(s, "rob", builtin(t, access.ReadOnlyRole))
	if _, err := s.IntakeRecipient(ctx); !errors.Is(err, ErrDenied) {
		t.Errorf("a read-only user made or read the intake key: %v", err)
	}
}

// TestIntakeTLS: LAN mode's certificate is made once for its addresses
// (audited, kept in the vault) and used again while they are the same
// (in any order) and it has more than a month left; other addresses, or
// a certificate near its end, get a new one. The key is the certificate's.
func TestIntakeTLS(t *testing.T) {
	s, _, _ := testSession(t)
	now := time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	a, b := net.IPv4(127, 0, 0, 2), net.IPv4(127, 0, 0, 3)
	n := auditCount(t, s)
	c1, err := s.IntakeTLS(ctx, []net.IP{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "intake.tls" || auditCount(t, s) != n+1 || !strings.Contains(e.Detail, "127.0.0.2, 127.0.0.3") {
		t.Errorf("audit = %+v", e)
	}
	if !c1.Leaf.PublicKey.(*ecdsa.PublicKey).Equal(c1.PrivateKey.(*ecdsa.PrivateKey).Public()) {
		t.Error("the key is not the certificate's")
	}
	c2, err := s.IntakeTLS(ctx, []net.IP{b, a, a})
	if err != nil || !bytes.Equal(c2.Certificate[0], c1.Certificate[0]) || auditCount(t, s) != n+1 {
		t.Errorf("the same addresses made a new certificate (%v)", err)
	}
	c3, err := s.IntakeTLS(ctx, []net.IP{a})
	if err != nil || bytes.Equal(c3.Certificate[0], c1.Certificate[0]) || len(c3.Leaf.IPAddresses) != 1 {
		t.Errorf("other addresses kept the certificate (%v)", err)
	}
	now = c3.Leaf.NotAfter.Add(-intakeTLSRenew + time.Hour)
	c4, err := s.IntakeTLS(ctx, []net.IP{a})
	if err != nil || bytes.Equal(c4.Certificate[0], c3.Certificate[0]) || !c4.Leaf.NotAfter.After(c3.Leaf.NotAfter) {
		t.Errorf("a certificate near its end was used again (%v)", err)
	}
	if _, err := s.IntakeTLS(ctx, nil); err == nil {
		t.Error("a certificate for no address")
	}
	actAs(s, "rob", builtin(t, access.ReadOnlyRole))
	if _, err := s.IntakeTLS(ctx, []net.IP{a}); !errors.Is(err, ErrDenied) {
		t.Errorf("a read-only user: %v", err)
	}
}

// TestIntakeFormKeysNeverReused: a question of the lawyer's own that is
// deleted leaves its key behind for good: a new question given that key
// (NextCustomKey counts only the form in hand) is saved under the next
// key never used, in the areas that ask and require it too; a question
// the form still has keeps its key when its wording changes.
func TestIntakeFormKeysNeverReused(t *testing.T) {
	s, _, _ := testSession(t)
	c := form.Default()
	add := func(c *form.Config, label string) string {
		k := c.NextCustomKey()
		c.Questions = append(c.Questions, form.Question{Key: k, Label: label, Kind: form.Short})
		c.Areas[0].Questions = append(c.Areas[0].Questions, k)
		c.Areas[0].Required = append(c.Areas[0].Required, k)
		return k
	}
	add(c, "Your employer")
	k2 := add(c, "Your car")
	if _, err := s.SaveIntakeForm(ctx, c); err != nil {
		t.Fatal(err)
	}
	// Delete "Your car" (the last), then add "Your pet": NextCustomKey gives its key again.
	c, _ = s.IntakeForm(ctx)
	c.Questions = slices.DeleteFunc(c.Questions, func(q form.Question) bool { return q.Key == k2 })
	c.Areas[0].Questions = slices.DeleteFunc(c.Areas[0].Questions, func(k string) bool { return k == k2 })
	c.Areas[0].Required = slices.DeleteFunc(c.Areas[0].Required, func(k string) bool { return k == k2 })
	if _, err := s.SaveIntakeForm(ctx, c); err != nil {
		t.Fatal(err)
	}
	c, _ = s.IntakeForm(ctx)
	if k := add(c, "Your pet"); k != k2 {
		t.Fatalf("NextCustomKey = %q; the test needs it to reuse %q", k, k2)
	}
	c.Questions[len(c.Questions)-2].Label = "Your employer's name" // q1 kept
	if _, err := s.SaveIntakeForm(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, _ := s.IntakeForm(ctx)
	keys := map[string]string{}
	for _, q := range got.Questions {
		if !q.Builtin {
			keys[q.Label] = q.Key
		}
	}
	if keys["Your employer's name"] != "q1" || keys["Your pet"] != "q3" || len(keys) != 2 {
		t.Errorf("the lawyer's questions = %v, want q1 kept and the pet as q3", keys)
	}
	a := got.Areas[0]
	if !slices.Contains(a.Questions, "q3") || !slices.Contains(a.Required, "q3") || slices.Contains(a.Questions, "q2") || slices.Contains(a.Required, "q2") {
		t.Errorf("area %s asks %v, requires %v; want q3 in both and no q2", a.Key, a.Questions, a.Required)
	}
}
