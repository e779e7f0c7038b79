// Package g722 is the ITU-T G.722 wideband speech codec at 64 kbit/s:
// 16 kHz 16-bit linear PCM split by a quadrature mirror filter into two
// 8 kHz sub-bands, the lower coded with 6-bit and the higher with 2-bit
// adaptive differential PCM, one octet per pair of input samples.
//
// In RTP G.722 is static payload type 9 with a clock rate of 8000 even
// though it samples at 16000 (RFC 3551, section 4.5.2), so a 20 ms packet
// carries 160 octets for 320 samples.
package g722

// PayloadType is the static RTP payload type of G.722 (RFC 3551).
const PayloadType = 9

// ClockRate is the RTP timestamp rate of G.722, which RFC 3551 fixes at
// 8000 for historical reasons although the codec samples at 16000.
const ClockRate = 8000

// SampleRate is the rate of the linear PCM the codec takes and gives.
const SampleRate = 16000

// qmf holds the even taps h[0], h[2], ..., h[22] of the 24-tap transmit
// and receive QMF; the odd taps are the same values in reverse order.
var qmf = [12]int{3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11}

// Lower sub-band quantizer: decision levels (q6), the 6-bit codes for
// negative (iln) and positive (ilp) differences, and the inverse
// quantizers for 6 (qm6) and 4 (qm4) bits.
var (
	q6 = [31]int{0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714,
		786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0}
	iln = [31]int{0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
		18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4}
	ilp = [31]int{0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47,
		46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32}
	qm6 = [64]int{-136, -136, -136, -136, -24808, -21904, -19008, -16704,
		-14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
		-7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
		-3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
		24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192,
		10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
		4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032,
		1688, 1360, 1040, 728, 432, 136, -432, -136}
	qm4 = [16]int{0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
		20456, 12896, 8968, 6288, 4240, 2584, 1200, 0}
	// rl42 maps a 4-bit lower-band code to its magnitude index into wl.
	rl42 = [16]int{0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0}
	// wl is the lower-band log scale factor multiplier.
	wl = [8]int{-60, -30, 58, 172, 334, 538, 1198, 3042}
)

// Higher sub-band quantizer: codes for negative (ihn) and positive (ihp)
// differences, the 2-bit inverse quantizer (qm2), the magnitude index of a
// code (rh2) and the log scale factor multiplier (wh).
var (
	ihn = [3]int{0, 1, 0}
	ihp = [3]int{0, 3, 2}
	qm2 = [4]int{-7408, -1616, 7408, 1616}
	rh2 = [4]int{2, 1, 2, 1}
	wh  = [3]int{0, -214, 798}
)

// ilb is the inverse log2 table used to turn a log scale factor into a
// linear one.
var ilb = [32]int{2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383,
	2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
	2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371,
	3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008}

// sat clips v to the 16-bit range, as the recommendation's arithmetic does.
func sat(v int) int {
	if v > 32767 {
		return 32767
	}
	if v < -32768 {
		return -32768
	}
	return v
}

// band is the adaptive predictor and quantizer state of one sub-band.
type band struct {
	s   int    // predicted signal
	sp  int    // pole section of the prediction
	sz  int    // zero section of the prediction
	r   [3]int // reconstructed signal, now and delayed
	a   [3]int // pole predictor coefficients
	ap  [3]int // next pole coefficients
	p   [3]int // partially reconstructed signal, now and delayed
	d   [7]int // quantized difference, now and delayed
	b   [7]int // zero predictor coefficients
	bp  [7]int // next zero coefficients
	nb  int    // log scale factor
	det int    // linear scale factor
}

// reset puts a band in its initial state; det is its first scale factor.
func (b *band) reset(det int) {
	*b = band{det: det}
}

// adaptLow runs the lower band's log scale factor adaptation for a 4-bit
// code (block 3L).
func (b *band) adaptLow(ril int) {
	nb := (b.nb*127)>>7 + wl[rl42[ril]]
	b.nb = min(max(nb, 0), 18432)
	b.det = scale(b.nb, 8)
}

// adaptHigh runs the higher band's log scale factor adaptation for a 2-bit
// code (block 3H).
func (b *band) adaptHigh(ih int) {
	nb := (b.nb*127)>>7 + wh[rh2[ih]]
	b.nb = min(max(nb, 0), 22528)
	b.det = scale(b.nb, 10)
}

// scale turns the log scale factor nb into a linear one; bias is 8 for the
// lower band and 10 for the higher.
func scale(nb, bias int) int {
	wd1 := (nb >> 6) & 31
	wd2 := bias - nb>>11
	var wd3 int
	if wd2 < 0 {
		wd3 = ilb[wd1] << -wd2
	} else {
		wd3 = ilb[wd1] >> wd2
	}
	return wd3 << 2
}

// sign is the sign bit of a 16-bit value: -1 when negative, else 0.
func sign(v int) int { return v >> 15 }

// update runs block 4 on the quantized difference d: reconstruction, pole
// and zero predictor adaptation, and the next prediction.
func (b *band) update(d int) {
	b.d[0] = d
	b.r[0] = sat(b.s + d)
	b.p[0] = sat(b.sz + d)

	// UPPOL2: second pole coefficient.
	wd1 := sat(b.a[1] << 2)
	wd2 := wd1
	if sign(b.p[0]) == sign(b.p[1]) {
		wd2 = -wd1
	}
	wd2 = min(wd2, 32767)
	wd3 := wd2 >> 7
	if sign(b.p[0]) == sign(b.p[2]) {
		wd3 += 128
	} else {
		wd3 -= 128
	}
	wd3 += (b.a[2] * 32512) >> 15
	b.ap[2] = min(max(wd3, -12288), 12288)

	// UPPOL1: first pole coefficient, limited by the second.
	wd1 = -192
	if sign(b.p[0]) == sign(b.p[1]) {
		wd1 = 192
	}
	ap1 := sat(wd1 + (b.a[1]*32640)>>15)
	lim := sat(15360 - b.ap[2])
	b.ap[1] = min(max(ap1, -lim), lim)

	// UPZERO: the six zero coefficients.
	step := 128
	if d == 0 {
		step = 0
	}
	for i := 1; i < 7; i++ {
		g := step
		if sign(b.d[i]) != sign(d) {
			g = -step
		}
		b.bp[i] = sat(g + (b.b[i]*32640)>>15)
	}

	// DELAYA: shift the delay lines.
	for i := 6; i > 0; i-- {
		b.d[i] = b.d[i-1]
		b.b[i] = b.bp[i]
	}
	for i := 2; i > 0; i-- {
		b.r[i] = b.r[i-1]
		b.p[i] = b.p[i-1]
		b.a[i] = b.ap[i]
	}

	// FILTEP, FILTEZ, PREDIC: the next prediction.
	b.sp = sat((b.a[1]*sat(b.r[1]+b.r[1]))>>15 + (b.a[2]*sat(b.r[2]+b.r[2]))>>15)
	sz := 0
	for i := 6; i > 0; i-- {
		sz += (b.b[i] * sat(b.d[i]+b.d[i])) >> 15
	}
	b.sz = sat(sz)
	b.s = sat(b.sp + b.sz)
}

// Encoder turns 16 kHz linear PCM into G.722 octets; it keeps the state of
// one stream, so each direction of each call needs its own.
type Encoder struct {
	x       [24]int // transmit QMF delay line
	low     band
	high    band
	pending int16 // an odd sample left over from the last Encode
	odd     bool  // pending holds a sample
}

// NewEncoder returns an encoder in its initial state.
func NewEncoder() *Encoder {
	e := &Encoder{}
	e.Reset()
	return e
}

// Reset puts the encoder back in its initial state, as at the start of a
// stream.
func (e *Encoder) Reset() {
	*e = Encoder{}
	e.low.reset(32)
	e.high.reset(8)
}

// Encode appends to dst one octet for each pair of samples in pcm and
// returns it; an odd last sample is kept and paired with the first of the
// next call.
func (e *Encoder) Encode(dst []byte, pcm []int16) []byte {
	for _, v := range pcm {
		if !e.odd {
			e.pending, e.odd = v, true
			continue
		}
		e.odd = false
		dst = append(dst, e.encodePair(e.pending, v))
	}
	return dst
}

// encodePair codes two consecutive samples into one octet.
func (e *Encoder) encodePair(s0, s1 int16) byte {
	// Transmit QMF: split into the two 8 kHz sub-bands.
	copy(e.x[:22], e.x[2:])
	e.x[22], e.x[23] = int(s0), int(s1)
	var sumOdd, sumEven int
	for i := range 12 {
		sumOdd += e.x[2*i] * qmf[i]
		sumEven += e.x[2*i+1] * qmf[11-i]
	}
	xlow := (sumEven + sumOdd) >> 14
	xhigh := (sumEven - sumOdd) >> 14

	// Lower band: 6-bit quantizer (block 1L), 4-bit inverse quantizer for
	// the predictor (block 2L), adaptation (blocks 3L and 4).
	el := sat(xlow - e.low.s)
	wd := el
	if el < 0 {
		wd = -(el + 1)
	}
	i := 1
	for ; i < 30; i++ {
		if wd < (q6[i]*e.low.det)>>12 {
			break
		}
	}
	ilow := ilp[i]
	if el < 0 {
		ilow = iln[i]
	}
	ril := ilow >> 2
	dlow := (e.low.det * qm4[ril]) >> 15
	e.low.adaptLow(ril)
	e.low.update(dlow)

	// Higher band: 2-bit quantizer (block 1H) and adaptation.
	eh := sat(xhigh - e.high.s)
	wd = eh
	if eh < 0 {
		wd = -(eh + 1)
	}
	mih := 1
	if wd >= (564*e.high.det)>>12 {
		mih = 2
	}
	ihigh := ihp[mih]
	if eh < 0 {
		ihigh = ihn[mih]
	}
	dhigh := (e.high.det * qm2[ihigh]) >> 15
	e.high.adaptHigh(ihigh)
	e.high.update(dhigh)

	return byte(ihigh<<6 | ilow)
}

// Decoder turns G.722 octets back into 16 kHz linear PCM; it keeps the
// state of one stream.
type Decoder struct {
	x    [24]int // receive QMF delay line
	low  band
	high band
}

// NewDecoder returns a decoder in its initial state.
func NewDecoder() *Decoder {
	d := &Decoder{}
	d.Reset()
	return d
}

// Reset puts the decoder back in its initial state, as at the start of a
// stream.
func (d *Decoder) Reset() {
	*d = Decoder{}
	d.low.reset(32)
	d.high.reset(8)
}

// Decode appends to dst two samples for each octet of payload and returns
// it. Every octet is valid G.722, so it never fails.
func (d *Decoder) Decode(dst []int16, payload []byte) []int16 {
	for _, code := range payload {
		ilow := int(code & 0x3f)
		ihigh := int(code>>6) & 3

		// Lower band: 6-bit inverse quantizer for the output, 4-bit one
		// for the predictor.
		rlow := d.low.s + (d.low.det*qm6[ilow])>>15
		rlow = min(max(rlow, -16384), 16383)
		ril := ilow >> 2
		dlow := (d.low.det * qm4[ril]) >> 15
		d.low.adaptLow(ril)
		d.low.update(dlow)

		// Higher band.
		dhigh := (d.high.det * qm2[ihigh]) >> 15
		rhigh := min(max(d.high.s+dhigh, -16384), 16383)
		d.high.adaptHigh(ihigh)
		d.high.update(dhigh)

		// Receive QMF: merge the sub-bands back into 16 kHz.
		copy(d.x[:22], d.x[2:])
		d.x[22], d.x[23] = rlow+rhigh, rlow-rhigh
		var out1, out2 int
		for i := range 12 {
			out2 += d.x[2*i] * qmf[i]
			out1 += d.x[2*i+1] * qmf[11-i]
		}
		dst = append(dst, int16(sat(out1>>11)), int16(sat(out2>>11)))
	}
	return dst
}
