package app

import "testing"

func TestBitLocker(t *testing.T) {
	const on = "Volume C: [OS]\n    Conversion Status:    Fully Encrypted\n    Protection Status:    Protection On\n"
	if p := bitLocker(on, "C:"); !p.Known || !p.On {
		t.Errorf("on: %+v", p)
	}
	if p := bitLocker("    Protection Status:    Protection Off\n", "D:"); !p.Known || p.On {
		t.Errorf("off: %+v", p)
	}
	if p := bitLocker("    Schutzstatus:    Der Schutz ist aktiviert.\n", "C:"); p.Known {
		t.Errorf("another language: %+v", p)
	}
}
