//! Line endings made uniform before the CSV parser sees them: CRLF and a lone CR become LF, and
//! a final LF is added if the text lacks one. Then every record ends in a consumed LF, so its
//! row number follows from the parser's line count (see `PersonCsvReader::read_next`); with a
//! CRLF terminator the parser leaves the LF for the next record and blank lines would be lost.
//! A line break inside a quoted field changes from CRLF to LF, which no valid field contains.

use std::io::{self, Read};

pub(crate) struct LineEndings<R> {
    inner: R,
    after_cr: bool,
    ends_with_lf: bool,
    done: bool,
}

impl<R: Read> LineEndings<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            after_cr: false,
            ends_with_lf: true,
            done: false,
        }
    }
}

impl<R> LineEndings<R> {
    /// Rewrites `data` in place (the result is never longer) and returns its new length.
    fn convert(&mut self, data: &mut [u8]) -> usize {
        // The LF of a CRLF split across two reads: its CR already became an LF.
        let mut read = usize::from(self.after_cr && data.first() == Some(&b'\n'));
        self.after_cr = false;
        let mut written = 0;
        // Whole segments between CRs move at once: a byte-by-byte loop was a tenth of the
        // import's time.
        while let Some(offset) = data[read..].iter().position(|&b| b == b'\r') {
            let cr = read + offset;
            data.copy_within(read..cr, written);
            written += cr - read;
            data[written] = b'\n';
            written += 1;
            read = cr + 1;
            match data.get(read) {
                Some(b'\n') => read += 1,
                Some(_) => {}
                None => self.after_cr = true,
            }
        }
        data.copy_within(read.., written);
        written + (data.len() - read)
    }
}

impl<R: Read> Read for LineEndings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || self.done {
            return Ok(0);
        }
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                self.done = true;
                if self.ends_with_lf {
                    return Ok(0);
                }
                buf[0] = b'\n';
                return Ok(1);
            }
            let written = self.convert(&mut buf[..n]);
            if written > 0 {
                self.ends_with_lf = buf[written - 1] == b'\n';
                return Ok(written);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn convert(input: &[u8], chunk: usize) -> Vec<u8> {
        let mut reader = LineEndings::new(
            input
                .chunks(chunk)
                .fold(Box::new(io::empty()) as Box<dyn Read>, |acc, c| {
                    Box::new(acc.chain(c))
                }),
        );
        let mut out = Vec::new();
        reader.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn crlf_and_cr_become_lf_across_chunk_boundaries() {
        for chunk in [1, 2, 3, 100] {
            assert_eq!(convert(b"a\r\nb\rc\n\r\n", chunk), b"a\nb\nc\n\n");
            assert_eq!(convert(b"a\r\n\r\nb", chunk), b"a\n\nb\n");
        }
    }

    #[test]
    fn a_missing_final_line_break_is_added_once() {
        assert_eq!(convert(b"a", 10), b"a\n");
        assert_eq!(convert(b"a\n", 10), b"a\n");
    }
}
