//! JSON as dockerd reads it: Go's `encoding/json`, not serde_json. They
//! differ where learners' files do: Go takes lone surrogates (`"\ud800"`)
//! and invalid UTF-8 inside strings, and a `json.Decoder` (dockerd 20.10)
//! stops after the first value, so text after the closing `}` is ignored;
//! `json.Unmarshal` (23.0 and later) refuses it. Every value keeps its
//! line and column, so a refusal can point at it.

/// Where a value starts: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// A JSON value with the position of its first character.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub at: Pos,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written (`1500.0`, `-1e3`).
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in file order; duplicates kept (the last one wins in Go).
    Object(Vec<(Node, Node)>),
}

impl Value {
    /// Go's name for the kind of a JSON value, as in its error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Why the text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: Pos,
    pub what: Syntax,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Syntax {
    /// Nothing but white space.
    Empty,
    /// The text ends inside a value.
    UnexpectedEnd,
    /// A character that cannot be here; `expected` in Go's words.
    Unexpected { ch: char, expected: &'static str },
    /// Text after the top-level value (`json.Unmarshal` only).
    AfterTopLevel { ch: char },
    /// Nested deeper than Go allows.
    TooDeep,
}

/// Go's nesting limit (encoding/json's scanner).
const MAX_DEPTH: usize = 10_000;

struct Parser<'a> {
    chars: Vec<char>,
    i: usize,
    /// Position of `chars[i]`.
    line: usize,
    col: usize,
    _text: &'a str,
}

/// Parses `text` as Go does. `whole`: the text must hold one value and
/// white space only (`json.Unmarshal`); otherwise the first value is read
/// and the rest ignored (`json.Decoder.Decode`).
pub fn parse(text: &str, whole: bool) -> Result<Node, SyntaxError> {
    let mut p = Parser {
        chars: text.chars().collect(),
        i: 0,
        line: 1,
        col: 1,
        _text: text,
    };
    p.skip_ws();
    if p.peek().is_none() {
        return Err(p.err(Syntax::Empty));
    }
    let node = p.value(0)?;
    if whole {
        p.skip_ws();
        if let Some(ch) = p.peek() {
            return Err(p.err(Syntax::AfterTopLevel { ch }));
        }
    }
    Ok(node)
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: self.col,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn err(&self, what: Syntax) -> SyntaxError {
        SyntaxError {
            at: self.pos(),
            what,
        }
    }

    fn unexpected(&self, expected: &'static str) -> SyntaxError {
        match self.peek() {
            None => self.err(Syntax::UnexpectedEnd),
            Some(ch) => self.err(Syntax::Unexpected { ch, expected }),
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.err(Syntax::TooDeep));
        }
        let at = self.pos();
        let value = match self.peek() {
            Some('{') => self.object(depth)?,
            Some('[') => self.array(depth)?,
            Some('"') => Value::String(self.string()?),
            Some('t') => self.literal("true", Value::Bool(true))?,
            Some('f') => self.literal("false", Value::Bool(false))?,
            Some('n') => self.literal("null", Value::Null)?,
            Some('-' | '0'..='9') => self.number()?,
            _ => return Err(self.unexpected("looking for beginning of value")),
        };
        Ok(Node { at, value })
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, SyntaxError> {
        for want in word.chars() {
            if self.peek() != Some(want) {
                return Err(self.unexpected("in literal"));
            }
            self.bump();
        }
        Ok(v)
    }

    fn digits(&mut self, out: &mut String) -> usize {
        let mut n = 0;
        while let Some(c @ '0'..='9') = self.peek() {
            out.push(c);
            self.bump();
            n += 1;
        }
        n
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let mut s = String::new();
        if self.peek() == Some('-') {
            s.push('-');
            self.bump();
        }
        match self.peek() {
            Some('0') => {
                s.push('0');
                self.bump();
            }
            Some('1'..='9') => {
                self.digits(&mut s);
            }
            _ => return Err(self.unexpected("in numeric literal")),
        }
        if self.peek() == Some('.') {
            s.push('.');
            self.bump();
            if self.digits(&mut s) == 0 {
                return Err(self.unexpected("after decimal point in numeric literal"));
            }
        }
        if let Some(e @ ('e' | 'E')) = self.peek() {
            s.push(e);
            self.bump();
            if let Some(sign @ ('+' | '-')) = self.peek() {
                s.push(sign);
                self.bump();
            }
            if self.digits(&mut s) == 0 {
                return Err(self.unexpected("in exponent of numeric literal"));
            }
        }
        Ok(Value::Number(s))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut v = 0;
        for _ in 0..4 {
            let Some(d) = self.peek().and_then(|c| c.to_digit(16)) else {
                return Err(self.unexpected("in \\u hexadecimal character escape"));
            };
            v = v * 16 + d;
            self.bump();
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.bump(); // the opening quote
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err(self.err(Syntax::UnexpectedEnd)),
                Some('"') => {
                    self.bump();
                    return Ok(s);
                }
                Some(c) if (c as u32) < 0x20 => {
                    return Err(self.unexpected("in string literal"));
                }
                Some('\\') => {
                    self.bump();
                    let c = match self.peek() {
                        Some(c @ ('"' | '\\' | '/')) => c,
                        Some('b') => '\u{8}',
                        Some('f') => '\u{c}',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('t') => '\t',
                        Some('u') => {
                            self.bump();
                            let hi = self.hex4()?;
                            s.push(self.surrogate_pair(hi)?);
                            continue;
                        }
                        _ => return Err(self.unexpected("in string escape code")),
                    };
                    self.bump();
                    s.push(c);
                }
                Some(c) => {
                    self.bump();
                    s.push(c);
                }
            }
        }
    }

    /// Go decodes a lone or broken surrogate as U+FFFD instead of failing.
    fn surrogate_pair(&mut self, hi: u32) -> Result<char, SyntaxError> {
        if !(0xD800..0xDC00).contains(&hi) {
            return Ok(char::from_u32(hi).unwrap_or('\u{fffd}'));
        }
        let save = (self.i, self.line, self.col);
        if self.peek() == Some('\\') && self.chars.get(self.i + 1) == Some(&'u') {
            self.bump();
            self.bump();
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
            }
            // Not a pair: the second escape is read again on its own.
            (self.i, self.line, self.col) = save;
        }
        Ok('\u{fffd}')
    }

    fn array(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.bump();
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some(']') => {
                    self.bump();
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.unexpected("after array element")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        self.bump();
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some('"') {
                return Err(self.unexpected("looking for beginning of object key string"));
            }
            let at = self.pos();
            let key = Node {
                at,
                value: Value::String(self.string()?),
            };
            self.skip_ws();
            if self.peek() != Some(':') {
                return Err(self.unexpected("after object key"));
            }
            self.bump();
            self.skip_ws();
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {
                    self.bump();
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.unexpected("after object key:value pair")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_takes_what_serde_refuses_and_the_reverse() {
        // A lone surrogate is U+FFFD to Go.
        let n = parse(r#"{"a": "\ud800"}"#, true).unwrap();
        let Value::Object(m) = n.value else { panic!() };
        assert_eq!(m[0].1.value, Value::String("\u{fffd}".into()));
        // A decoder stops after the first value; Unmarshal does not.
        assert!(parse("{} x", false).is_ok());
        let e = parse("{}\n x", true).unwrap_err();
        assert_eq!(e.what, Syntax::AfterTopLevel { ch: 'x' });
        assert_eq!(e.at, Pos { line: 2, col: 2 });
        assert_eq!(parse(" \n", true).unwrap_err().what, Syntax::Empty);
    }

    #[test]
    fn errors_are_located_like_go() {
        let e = parse("{\n \"a\": [1,],\n}", true).unwrap_err();
        assert_eq!(e.at, Pos { line: 2, col: 10 });
        assert!(matches!(
            e.what,
            Syntax::Unexpected {
                ch: ']',
                expected: "looking for beginning of value"
            }
        ));
        assert!(parse("[01]", true).is_err());
        assert!(parse("[1.]", true).is_err());
        assert!(parse("[\"\t\"]", true).is_err());
        assert!(parse("[-0.5e+3]", true).is_ok());
        assert_eq!(
            parse("{\"a\":", true).unwrap_err().what,
            Syntax::UnexpectedEnd
        );
    }

    #[test]
    fn positions_of_members() {
        let n = parse("{\n  \"debug\": \"true\"\n}", true).unwrap();
        let Value::Object(m) = n.value else { panic!() };
        assert_eq!(m[0].0.at, Pos { line: 2, col: 3 });
        assert_eq!(m[0].1.at, Pos { line: 2, col: 12 });
    }
}
