package vault

// HeaderSlots lists the key slots of header bytes (a copy of a vault header,
// such as a backup's key file) without unlocking them and without secrets:
// which kinds of secret could open that copy. The structure and checksum are
// checked; the MAC is not (it needs the data key), so the answer is what the
// copy says of itself.
func HeaderSlots(name string, header []byte) ([]SlotInfo, error) {
	h, err := parseHeader(name, header)
	if err != nil {
		return nil, err
	}
	out := make([]SlotInfo, len(h.Slots))
	for i := range h.Slots {
		out[i] = h.Slots[i].info()
	}
	return out, nil
}
