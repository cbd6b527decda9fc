package vault

import (
	"context"
	"crypto/cipher"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestNewerManifestFormat: a manifest of a format newer than this casevault
// reads (authenticated, so written by a newer casevault with the vault's
// key) is not damage: opening says to use a newer casevault, not to repair
// or restore, and a repair changes nothing.
func TestNewerManifestFormat(t *testing.T) {
	ctx := context.Background()
	v, dir, _ := newVault(t)
	if err := v.WriteCheckpoint(ctx, make([]byte, 5000), nil); err != nil {
		t.Fatal(err)
	}
	cp := *v.Current()
	cp.Format = manifestFormatObjects + 1
	err := v.keys.withAEAD(func(a cipher.AEAD) error {
		b, err := encodeManifest(a, v.hdr.VaultID, &cp)
		if err != nil {
			return err
		}
		if err := os.WriteFile(v.manifestCopyPath(cp.Seq), b, 0o600); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	before := hashDir(t, dir)
	v = mustOpen(t, dir, Passphrase(testPass))
	_, _, err = v.LoadCheckpoint(ctx)
	if !errors.Is(err, ErrNewerVersion) || errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "newer version of casevault") {
		t.Fatalf("opening: %v; want ErrNewerVersion, not damage", err)
	}
	if _, err := v.RepairVersions(ctx); !errors.Is(err, ErrNewerVersion) {
		t.Fatalf("repair: %v; want ErrNewerVersion", err)
	}
	after := hashDir(t, dir)
	delete(before, LockFile)
	delete(after, LockFile)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("the folder changed:\nbefore %v\nafter  %v", before, after)
	}
}
