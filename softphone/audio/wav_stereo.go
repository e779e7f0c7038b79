package audio

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync"
)

// StereoWAV records two channels into a WAV file (8 kHz, stereo, 16-bit):
// a call recording with the operator left and the citizen right. Close
// completes the header; a StereoWAV is safe for concurrent use.
type StereoWAV struct {
	mu     sync.Mutex
	f      *os.File
	frames int // samples per channel
	buf    []byte
	closed bool
}

// CreateStereoWAV creates (or truncates) the file at path for a recording.
func CreateStereoWAV(path string) (*StereoWAV, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create wav: %w", err)
	}
	if _, err := f.Write(stereoHeader(0)); err != nil {
		f.Close()
		return nil, fmt.Errorf("write wav header: %w", err)
	}
	return &StereoWAV{f: f}, nil
}

// Write appends left and right, sample by sample; the shorter channel is
// padded with silence.
func (s *StereoWAV) Write(left, right []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return os.ErrClosed
	}
	n := max(len(left), len(right))
	s.buf = s.buf[:0]
	for i := range n {
		var l, r int16
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		s.buf = binary.LittleEndian.AppendUint16(s.buf, uint16(l))
		s.buf = binary.LittleEndian.AppendUint16(s.buf, uint16(r))
	}
	if _, err := s.f.Write(s.buf); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	s.frames += n
	return nil
}

// Close writes the final sizes into the header and closes the file.
func (s *StereoWAV) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	_, err := s.f.WriteAt(stereoHeader(s.frames), 0)
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("close wav: %w", err)
	}
	return nil
}

func stereoHeader(frames int) []byte {
	h := wavHeader(frames * 2)                            // same layout, twice the data
	binary.LittleEndian.PutUint16(h[22:], 2)              // channels
	binary.LittleEndian.PutUint32(h[28:], SampleRate*2*2) // byte rate
	binary.LittleEndian.PutUint16(h[32:], 4)              // block align
	return h
}

// ReadStereoWAV reads a file written by StereoWAV into its two channels.
func ReadStereoWAV(path string) (left, right []int16, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(b) < wavHeaderSize || string(b[:4]) != "RIFF" || binary.LittleEndian.Uint16(b[22:]) != 2 ||
		binary.LittleEndian.Uint32(b[24:]) != SampleRate || binary.LittleEndian.Uint16(b[34:]) != 16 {
		return nil, nil, fmt.Errorf("%s: not an 8 kHz stereo 16-bit WAV file", path)
	}
	data := b[wavHeaderSize:]
	for i := 0; i+4 <= len(data); i += 4 {
		left = append(left, int16(binary.LittleEndian.Uint16(data[i:])))
		right = append(right, int16(binary.LittleEndian.Uint16(data[i+2:])))
	}
	return left, right, nil
}
