package vault

// RemoveSlotsExcept removes every user slot (type 3) that is not the
// owner's and whose tag is not in keep (the UserTag of each active user),
// and returns how many it removed. Anyone who holds the data key (every
// user) can write a header with slots of their own choosing; before a
// rotation reseals a new data key to every slot's identity, the caller
// removes the slots no user of the vault owns, so a removed user's
// planted slot does not survive the change of the vault key. The owner's
// slot and the recovery slot are never removed. A version 1 header has no
// user slots: nothing to do.
func (v *Vault) RemoveSlotsExcept(keep [][16]byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.writableLocked(); err != nil {
		return 0, err
	}
	if v.hdr.version() != headerVersion2 {
		return 0, nil
	}
	want := make(map[[16]byte]bool, len(keep))
	for _, t := range keep {
		want[t] = true
	}
	h := v.hdr.clone()
	kept := h.Slots[:0:0]
	for _, s := range h.Slots {
		if s.Type == SlotUser && s.Flags&flagOwner == 0 && !want[s.Tag] {
			continue
		}
		kept = append(kept, s)
	}
	removed := len(h.Slots) - len(kept)
	if removed == 0 {
		return 0, nil
	}
	h.Slots = kept
	if err := v.saveHeaderLocked(h, "removing key slots no user owns"); err != nil {
		return 0, err
	}
	return removed, nil
}
