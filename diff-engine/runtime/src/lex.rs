//! A lexer for the runtime: where SQL's strings, quoted identifiers, dollar quotes and comments begin and
//! end, read as PostgreSQL's scanner (and squawk's lexer, which the planner parses with) reads them, so that
//! a keyword or a `;` inside one is never taken for SQL. A loop over the text, never a recursion: any
//! nesting is safe to read. keel-diff's tests check that it agrees with squawk.

/// What a token is, as far as finding statements needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Whitespace and comments.
    Trivia,
    /// A bare word (keyword or identifier).
    Word,
    /// `"name"`, `U&"name"`.
    QuotedIdent,
    /// `(` or `[`.
    Open,
    /// `)` or `]`.
    Close,
    Semicolon,
    /// Anything else: literals, operators, parameters.
    Other,
}

/// A token: its kind and its byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

const BOM: char = '\u{feff}';

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c >= '\u{80}'
}

fn is_ident_cont(c: char) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == '$'
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}')
}

/// The tokens of `sql`, in order, covering it whole.
pub(crate) fn tokens(sql: &str) -> Vec<Token> {
    let mut lexer = Lexer { sql, at: 0 };
    let mut out = Vec::new();
    if sql.starts_with(BOM) {
        lexer.at = BOM.len_utf8();
        out.push(Token { kind: Kind::Trivia, start: 0, end: lexer.at });
    }
    while lexer.at < sql.len() {
        let start = lexer.at;
        let kind = lexer.token();
        out.push(Token { kind, start, end: lexer.at });
    }
    out
}

struct Lexer<'a> {
    sql: &'a str,
    at: usize,
}

impl Lexer<'_> {
    fn nth(&self, n: usize) -> Option<char> {
        self.sql[self.at..].chars().nth(n)
    }

    fn first(&self) -> Option<char> {
        self.nth(0)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.first()?;
        self.at += c.len_utf8();
        Some(c)
    }

    fn eat_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.first().is_some_and(&keep) {
            self.bump();
        }
    }

    fn token(&mut self) -> Kind {
        let Some(c) = self.bump() else { return Kind::Other };
        match c {
            '/' if self.first() == Some('*') => self.block_comment(),
            '-' if self.first() == Some('-') => {
                self.eat_while(|c| c != '\n' && c != '\r');
                Kind::Trivia
            }
            c if is_whitespace(c) => {
                self.eat_while(is_whitespace);
                Kind::Trivia
            }
            'u' | 'U' if self.first() == Some('&') && matches!(self.nth(1), Some('\'' | '"')) => {
                self.bump();
                self.prefixed(false)
            }
            'e' | 'E' => self.prefixed(true),
            'b' | 'B' | 'x' | 'X' | 'n' | 'N' => self.prefixed(false),
            c if is_ident_start(c) => {
                self.eat_while(is_ident_cont);
                Kind::Word
            }
            '0'..='9' => {
                self.number(c);
                Kind::Other
            }
            '.' if self.first() == Some('.') => {
                self.bump();
                Kind::Other
            }
            '.' if self.first().is_some_and(|c| c.is_ascii_digit()) => {
                self.fraction();
                Kind::Other
            }
            '(' | '[' => Kind::Open,
            ')' | ']' => Kind::Close,
            ';' => Kind::Semicolon,
            '$' if self.dollar_quote_starts() => {
                self.dollar_quote();
                Kind::Other
            }
            '$' => {
                self.eat_while(|c| c.is_ascii_digit());
                self.eat_identifier();
                Kind::Other
            }
            '\'' => {
                self.quoted_string(false);
                Kind::Other
            }
            '"' => {
                self.quoted_ident();
                Kind::QuotedIdent
            }
            _ => Kind::Other,
        }
    }

    /// After `/`, at `*`: nested block comments, to the end when unterminated.
    fn block_comment(&mut self) -> Kind {
        self.bump();
        let mut depth = 1usize;
        while let Some(c) = self.bump() {
            if c == '/' && self.first() == Some('*') {
                self.bump();
                depth += 1;
            } else if c == '*' && self.first() == Some('/') {
                self.bump();
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
        }
        Kind::Trivia
    }

    /// After a prefix letter (`E`, `B`, `X`, `N`, or `U&`): a string when a quote follows, else a word.
    fn prefixed(&mut self, backslash_escapes: bool) -> Kind {
        match self.first() {
            Some('\'') => {
                self.bump();
                self.quoted_string(backslash_escapes);
                Kind::Other
            }
            Some('"') if self.sql[..self.at].ends_with('&') => {
                self.bump();
                self.quoted_ident();
                Kind::QuotedIdent
            }
            _ => {
                self.eat_while(is_ident_cont);
                Kind::Word
            }
        }
    }

    /// After the opening quote: to the closing one (`''` is a quote; `\x` an escape in an `E''` string).
    fn quoted_string(&mut self, backslash_escapes: bool) {
        while let Some(c) = self.bump() {
            match c {
                '\\' if backslash_escapes => {
                    self.bump();
                }
                '\'' if self.first() == Some('\'') => {
                    self.bump();
                }
                '\'' => return,
                _ => {}
            }
        }
    }

    /// After the opening `"`: to the closing one (`""` is a quote).
    fn quoted_ident(&mut self) {
        while let Some(c) = self.bump() {
            if c == '"' {
                if self.first() == Some('"') {
                    self.bump();
                } else {
                    return;
                }
            }
        }
    }

    /// At the character after `$`: `$$` or `$tag$`.
    fn dollar_quote_starts(&self) -> bool {
        let mut chars = self.sql[self.at..].chars();
        match chars.next() {
            Some('$') => true,
            Some(c) if is_ident_start(c) => {
                for c in chars {
                    if c == '$' {
                        return true;
                    }
                    if !is_ident_cont(c) {
                        return false;
                    }
                }
                false
            }
            _ => false,
        }
    }

    /// After the first `$` of `$tag$`: through the closing `$tag$`, or to the end.
    fn dollar_quote(&mut self) {
        let tag_start = self.at;
        self.eat_while(|c| c != '$');
        let delimiter = format!("${}$", &self.sql[tag_start..self.at]);
        self.bump();
        match self.sql[self.at..].find(&delimiter) {
            Some(end) => self.at += end + delimiter.len(),
            None => self.at = self.sql.len(),
        }
    }

    /// After a number's first digit: digits (`_` between them), a base prefix, a fraction, an exponent, and
    /// letters stuck to it (which PostgreSQL rejects, but which are part of the token).
    fn number(&mut self, first: char) {
        if first == '0' {
            match self.first() {
                Some('b' | 'B' | 'o' | 'O') => {
                    self.bump();
                    self.decimal_digits();
                    self.eat_identifier();
                    return;
                }
                Some('x' | 'X') => {
                    self.bump();
                    self.hex_digits();
                    self.eat_identifier();
                    return;
                }
                Some('0'..='9' | '_') => self.decimal_digits(),
                Some('.' | 'e' | 'E') => {}
                _ => {
                    self.eat_identifier();
                    return;
                }
            }
        } else {
            self.decimal_digits();
        }
        match self.first() {
            Some('.') if self.nth(1) != Some('.') => {
                self.bump();
                self.fraction();
            }
            Some('e' | 'E') => {
                self.bump();
                self.exponent();
                self.eat_identifier();
            }
            _ => self.eat_identifier(),
        }
    }

    /// After the `.` of a number: digits, an exponent, letters stuck to it.
    fn fraction(&mut self) {
        if self.first().is_some_and(|c| c.is_ascii_digit()) {
            self.decimal_digits();
        }
        if matches!(self.first(), Some('e' | 'E')) {
            self.bump();
            self.exponent();
        }
        self.eat_identifier();
    }

    fn exponent(&mut self) {
        let digit_at = |n| self.nth(n).is_some_and(|c: char| c.is_ascii_digit());
        match self.first() {
            Some('-' | '+') if digit_at(1) => {
                self.bump();
                self.decimal_digits();
            }
            Some(c) if c.is_ascii_digit() => self.decimal_digits(),
            _ => {}
        }
    }

    fn decimal_digits(&mut self) {
        loop {
            match (self.first(), self.nth(1)) {
                (Some('_'), Some(next)) if next.is_ascii_digit() => {
                    self.bump();
                }
                (Some(c), _) if c.is_ascii_digit() => {
                    self.bump();
                }
                _ => return,
            }
        }
    }

    fn hex_digits(&mut self) {
        loop {
            match (self.first(), self.nth(1)) {
                (Some('_'), Some(next)) if next.is_ascii_hexdigit() => {
                    self.bump();
                }
                (Some(c), _) if c.is_ascii_hexdigit() => {
                    self.bump();
                }
                _ => return,
            }
        }
    }

    fn eat_identifier(&mut self) {
        if self.first().is_some_and(is_ident_start) {
            self.eat_while(is_ident_cont);
        }
    }
}
