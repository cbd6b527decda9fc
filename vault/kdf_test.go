package vault

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestKDFValidate(t *testing.T) {
	t.Parallel()
	good := []KDFParams{
		testKDF,
		{Time: 1, MemoryKiB: MinMemoryKiB, Threads: 1},
		{Time: MaxCost / MaxMemoryKiB, MemoryKiB: MaxMemoryKiB, Threads: MaxThreads},
		{Time: MaxTime, MemoryKiB: MinMemoryKiB, Threads: 1},
		{Time: 64, MemoryKiB: DefaultMemoryKiB, Threads: 4},
		{Time: 3, MemoryKiB: DefaultMemoryKiB, Threads: 4},
	}
	for _, p := range good {
		if err := p.Validate(); err != nil {
			t.Errorf("%v: %v", p, err)
		}
	}
	bad := map[string]KDFParams{
		"zero":           {},
		"memory 8MiB-1":  {Time: 1, MemoryKiB: MinMemoryKiB - 1, Threads: 1},
		"memory 1 MiB":   {Time: 1, MemoryKiB: 1024, Threads: 1},
		"memory too big": {Time: 1, MemoryKiB: MaxMemoryKiB + 1, Threads: 1},
		"time 0":         {Time: 0, MemoryKiB: MinMemoryKiB, Threads: 1},
		"time too big":   {Time: MaxTime + 1, MemoryKiB: MinMemoryKiB, Threads: 1},
		"threads 0":      {Time: 1, MemoryKiB: MinMemoryKiB, Threads: 0},
		// What a forged backup key file asked for (issue 8, item 12).
		"forged 4 GiB t=1000": {Time: 1000, MemoryKiB: 4 * 1024 * 1024, Threads: 4},
		"memory 2 GiB":        {Time: 1, MemoryKiB: 2 * 1024 * 1024, Threads: 1},
		"cost 1 GiB t=17":     {Time: MaxCost/MaxMemoryKiB + 1, MemoryKiB: MaxMemoryKiB, Threads: 1},
		"cost 256 MiB t=65":   {Time: 65, MemoryKiB: DefaultMemoryKiB, Threads: 1},
		"threads 5":           {Time: 1, MemoryKiB: MinMemoryKiB, Threads: MaxThreads + 1},
		"threads 255":         {Time: 1, MemoryKiB: MinMemoryKiB, Threads: 255},
	}
	for name, p := range bad {
		if err := p.Validate(); err == nil {
			t.Errorf("%s (%v) validates", name, p)
		}
	}
	if s := testKDF.String(); !strings.Contains(s, "t=1") || !strings.Contains(s, "m=8 MiB") || !strings.Contains(s, "p=1") {
		t.Errorf("String() = %q", s)
	}
}

// TestKDFString: sizes are printed exactly, never rounded down to a wrong
// number of MiB (8200 KiB used to print as "8 MiB").
func TestKDFString(t *testing.T) {
	t.Parallel()
	for m, want := range map[uint32]string{
		8 * 1024:        "m=8 MiB",
		8*1024 + 8:      "m=8200 KiB",
		1024 * 1024:     "m=1024 MiB",
		4*1024*1024 + 8: "m=4194312 KiB",
		4294967295:      "m=4294967295 KiB",
	} {
		if got := (KDFParams{Time: 2, MemoryKiB: m, Threads: 1}).String(); got != "Argon2id t=2 "+want+" p=1" {
			t.Errorf("m=%d KiB prints %q", m, got)
		}
	}
}

func TestCalibrate(t *testing.T) {
	t.Parallel()
	p, err := Calibrate(context.Background(), 20*time.Millisecond, MinMemoryKiB)
	if err != nil {
		t.Fatal(err)
	}
	if p.Time < 1 || p.MemoryKiB != MinMemoryKiB || p.Threads != DefaultThreads() {
		t.Fatalf("Calibrate = %v", p)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("calibrated params do not validate: %v", err)
	}
	// Memory below the floor is raised to it.
	p, err = Calibrate(context.Background(), time.Millisecond, 1024)
	if err != nil || p.MemoryKiB != MinMemoryKiB || p.Validate() != nil {
		t.Fatalf("Calibrate(low memory) = %v, %v", p, err)
	}
	// A cancelled context stops it.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Calibrate(ctx, time.Second, MinMemoryKiB); err == nil {
		t.Fatal("Calibrate ignored a cancelled context")
	}
	if n := DefaultThreads(); n < 1 || n > 4 {
		t.Fatalf("DefaultThreads = %d", n)
	}
}

func TestKDFDeterministic(t *testing.T) {
	t.Parallel()
	salt := bytes.Repeat([]byte{7}, 16)
	a := testKDF.derive([]byte("pass"), salt)
	b := testKDF.derive([]byte("pass"), salt)
	c := testKDF.derive([]byte("pass"), bytes.Repeat([]byte{8}, 16))
	d := KDFParams{Time: 2, MemoryKiB: 8 * 1024, Threads: 1}.derive([]byte("pass"), salt)
	if len(a) != 32 || !bytes.Equal(a, b) || bytes.Equal(a, c) || bytes.Equal(a, d) {
		t.Fatal("Argon2id derivation is not a deterministic function of secret, salt and params")
	}
}

func TestMAC(t *testing.T) {
	t.Parallel()
	v, _, _ := newVault(t)
	w, _, _ := newVault(t)
	m := func(v *Vault, purpose string, parts ...[]byte) []byte {
		t.Helper()
		out, err := v.MAC(purpose, parts...)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 32 {
			t.Fatalf("MAC is %d bytes", len(out))
		}
		return out
	}
	base := m(v, "audit", []byte("entry 1"))
	if !bytes.Equal(base, m(v, "audit", []byte("entry 1"))) {
		t.Fatal("MAC is not deterministic")
	}
	if bytes.Equal(base, m(v, "audit", []byte("entry 2"))) {
		t.Fatal("MAC ignores its input")
	}
	if bytes.Equal(base, m(v, "audit2", []byte("entry 1"))) || bytes.Equal(base, m(v, "", []byte("entry 1"))) {
		t.Fatal("MAC does not depend on the purpose")
	}
	if bytes.Equal(base, m(w, "audit", []byte("entry 1"))) {
		t.Fatal("two vaults give the same MAC")
	}
	// Parts are concatenated without framing: callers that MAC several
	// variable-length fields must encode them unambiguously themselves
	// (docs/FORMAT.md, "MAC purposes").
	if !bytes.Equal(m(v, "p", []byte("ab"), []byte("c")), m(v, "p", []byte("a"), []byte("bc"))) {
		t.Fatal("MAC parts are framed; update docs/FORMAT.md")
	}
	// Stable across sessions (the audit chain is verified after reopening).
	v2 := reopen(t, v)
	if !bytes.Equal(base, m(v2, "audit", []byte("entry 1"))) {
		t.Fatal("MAC changed after reopening")
	}
}

func TestPassphraseNFC(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() + "/v"
	composed := []byte("caf\u00e9 lantern orbit velvet")
	decomposed := []byte("cafe\u0301 lantern orbit velvet")
	v, _, err := Create(dir, decomposed, CreateOptions{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	v, err = Open(dir, Passphrase(composed))
	if err != nil {
		t.Fatalf("composed form of a decomposed passphrase does not open: %v", err)
	}
	v.Close()
}
