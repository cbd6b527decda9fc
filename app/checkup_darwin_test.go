package app

import "testing"

func TestFileVault(t *testing.T) {
	if p := fileVault("FileVault is On.\n"); !p.Known || !p.On {
		t.Errorf("on: %+v", p)
	}
	if p := fileVault("FileVault is Off.\n"); !p.Known || p.On {
		t.Errorf("off: %+v", p)
	}
	if p := fileVault("Encryption in progress: Percent completed = 10\n"); p.Known {
		t.Errorf("other: %+v", p)
	}
}
