package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// ErrWAVFormat reports a WAV file that is not 8 kHz mono 16-bit PCM.
var ErrWAVFormat = errors.New("audio: not an 8 kHz mono 16-bit PCM WAV file")

const wavHeaderSize = 44

// WAVSink records the audio it receives into a WAV file (8 kHz, mono,
// 16-bit). Close completes the header; a WAVSink is safe for concurrent use.
type WAVSink struct {
	mu      sync.Mutex
	f       *os.File
	samples int
	buf     []byte
	closed  bool
}

var _ Sink = (*WAVSink)(nil)

// CreateWAV creates (or truncates) the file at path and returns a sink
// recording into it.
func CreateWAV(path string) (*WAVSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create wav: %w", err)
	}
	s := &WAVSink{f: f}
	if _, err := f.Write(wavHeader(0)); err != nil {
		f.Close()
		return nil, fmt.Errorf("write wav header: %w", err)
	}
	return s, nil
}

// WritePCM appends frame to the recording.
func (s *WAVSink) WritePCM(frame []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return os.ErrClosed
	}
	s.buf = s.buf[:0]
	for _, v := range frame {
		s.buf = binary.LittleEndian.AppendUint16(s.buf, uint16(v))
	}
	if _, err := s.f.Write(s.buf); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	s.samples += len(frame)
	return nil
}

// Close writes the final sizes into the header and closes the file.
func (s *WAVSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	_, err := s.f.WriteAt(wavHeader(s.samples), 0)
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("close wav: %w", err)
	}
	return nil
}

func wavHeader(samples int) []byte {
	dataLen := uint32(samples * 2)
	h := make([]byte, 0, wavHeaderSize)
	h = append(h, "RIFF"...)
	h = binary.LittleEndian.AppendUint32(h, 36+dataLen)
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, 16)           // fmt chunk size
	h = binary.LittleEndian.AppendUint16(h, 1)            // PCM
	h = binary.LittleEndian.AppendUint16(h, 1)            // mono
	h = binary.LittleEndian.AppendUint32(h, SampleRate)   // sample rate
	h = binary.LittleEndian.AppendUint32(h, SampleRate*2) // byte rate
	h = binary.LittleEndian.AppendUint16(h, 2)            // block align
	h = binary.LittleEndian.AppendUint16(h, 16)           // bits per sample
	h = append(h, "data"...)
	h = binary.LittleEndian.AppendUint32(h, dataLen)
	return h
}

// WAVSource plays a WAV file (8 kHz, mono, 16-bit PCM) once, then returns
// io.EOF.
type WAVSource struct {
	mu   sync.Mutex
	f    *os.File
	left int // bytes of sample data not read yet
	buf  []byte
}

var _ Source = (*WAVSource)(nil)

// OpenWAV opens the WAV file at path for playing; it returns an error
// wrapping ErrWAVFormat for any other format.
func OpenWAV(path string) (*WAVSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open wav: %w", err)
	}
	n, err := parseWAVHeader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open wav %s: %w", path, err)
	}
	return &WAVSource{f: f, left: n}, nil
}

// parseWAVHeader reads chunks up to the data chunk and returns its length.
func parseWAVHeader(r io.Reader) (int, error) {
	var riff [12]byte
	if err := readFull(r, riff[:]); err != nil {
		return 0, fmt.Errorf("read riff header: %w", err)
	}
	if string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return 0, ErrWAVFormat
	}
	sawFmt := false
	for {
		var ch [8]byte
		if err := readFull(r, ch[:]); err != nil {
			return 0, fmt.Errorf("read chunk header: %w", err)
		}
		size := int(binary.LittleEndian.Uint32(ch[4:]))
		switch string(ch[0:4]) {
		case "fmt ":
			if size < 16 {
				return 0, ErrWAVFormat
			}
			body := make([]byte, size+size%2)
			if err := readFull(r, body); err != nil {
				return 0, fmt.Errorf("read fmt chunk: %w", err)
			}
			format := binary.LittleEndian.Uint16(body[0:])
			channels := binary.LittleEndian.Uint16(body[2:])
			rate := binary.LittleEndian.Uint32(body[4:])
			bits := binary.LittleEndian.Uint16(body[14:])
			if format != 1 || channels != 1 || rate != SampleRate || bits != 16 {
				return 0, ErrWAVFormat
			}
			sawFmt = true
		case "data":
			if !sawFmt {
				return 0, ErrWAVFormat
			}
			return size, nil
		default:
			if _, err := io.CopyN(io.Discard, r, int64(size+size%2)); err != nil {
				return 0, fmt.Errorf("skip chunk: %w", err)
			}
		}
	}
}

// ReadPCM fills frame with the next samples, padding the last frame with
// silence; it returns io.EOF once the file is played.
func (s *WAVSource) ReadPCM(frame []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.left <= 0 {
		return io.EOF
	}
	want := min(len(frame)*2, s.left)
	if cap(s.buf) < want {
		s.buf = make([]byte, want)
	}
	b := s.buf[:want]
	n, err := io.ReadFull(s.f, b)
	s.left -= n
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		s.left = 0
		if n == 0 {
			return io.EOF
		}
	} else if err != nil {
		return fmt.Errorf("read wav: %w", err)
	}
	clear(frame)
	for i := 0; i+1 < n; i += 2 {
		frame[i/2] = int16(binary.LittleEndian.Uint16(b[i:]))
	}
	return nil
}

// Close closes the file.
func (s *WAVSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f.Close()
}

// Recorder is a Sink that keeps every sample in memory, for tests; it is
// safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	samples []int16
}

var _ Sink = (*Recorder)(nil)

// WritePCM appends frame.
func (r *Recorder) WritePCM(frame []int16) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.samples = append(r.samples, frame...)
	return nil
}

// Samples returns a copy of everything recorded so far.
func (r *Recorder) Samples() []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int16(nil), r.samples...)
}
