-- Issues 3 and 7: the call's audio quality (an E-model MOS, 1 to 4.5)
-- as the desktop's phone estimated it, kept with the wrap-up's facts;
-- 0 when the desktop measured none.
ALTER TABLE wrap_up_facts ADD COLUMN mos DOUBLE PRECISION NOT NULL DEFAULT 0;
