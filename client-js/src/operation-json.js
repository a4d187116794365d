// The wire form of an operation as JSON text, with the strict rules and the messages of Java's
// dev.tandem.ot.OperationJson. Inside a protocol message an op arrives already parsed by
// JSON.parse: use TextOperation.fromJSON(values) for that. parse(json) is for an op on its own,
// where it also refuses what JSON.parse would let through (1.0, a leading zero, a trailing comma).

import { addCount, addInsert, Builder, InvalidOperationError, TextOperation } from './ot.js';

/**
 * The compact wire form of `op`, for example `[5,"hi",-3,10]`; the same text as Java's
 * `OperationJson.toJson`.
 * @param {TextOperation} op
 * @returns {string}
 */
export function toJson(op) {
  return JSON.stringify(op.toJSON());
}

const EXPECTED_COMPONENT = '(expected a non-zero integer or a non-empty string)';

/**
 * Parses the wire form strictly: RFC 8259 JSON, integers within ±2147483647 written without
 * fraction or exponent, non-empty strings that are well-formed UTF-16 by themselves after
 * unescaping. A valid op that is not canonical (`[1, 1]`) is canonicalized.
 * Law: `parse(toJson(op)).equals(op)`.
 * @param {string} json
 * @returns {TextOperation}
 * @throws {InvalidOperationError} naming the element, its value and what was expected
 */
export function parse(json) {
  if (typeof json !== 'string') {
    const shown = json === null ? 'null' : typeof json;
    throw new InvalidOperationError(`op JSON is ${shown} (expected a JSON array)`);
  }
  return new Parser(json).parseOperation();
}

/** A strict recursive-descent reader of one JSON array of integers and strings. */
class Parser {
  /** @param {string} json */
  constructor(json) {
    this.json = json;
    this.pos = 0;
  }

  parseOperation() {
    this.skipWhitespace();
    if (this.peek() !== '[') {
      throw this.malformed("expected '[' opening the op array");
    }
    this.pos++;
    const builder = new Builder();
    this.skipWhitespace();
    if (this.peek() === ']') {
      this.pos++;
    } else {
      let index = 0;
      for (;;) {
        this.skipWhitespace();
        this.parseComponent(builder, index++);
        this.skipWhitespace();
        const c = this.peek();
        if (c === ',') {
          this.pos++;
        } else if (c === ']') {
          this.pos++;
          break;
        } else {
          throw this.malformed(`expected ',' or ']' after op[${index - 1}]`);
        }
      }
    }
    this.skipWhitespace();
    if (this.pos < this.json.length) {
      throw this.malformed('expected the end of input after the op array');
    }
    return builder.build();
  }

  /**
   * @param {Builder} builder
   * @param {number} index
   */
  parseComponent(builder, index) {
    const c = this.peek();
    const json = this.json;
    if (c === '"') {
      addInsert(builder, index, this.parseString());
    } else if (c === '-' || isDigit(c)) {
      this.parseNumber(builder, index);
    } else if (c === '{' || c === '[') {
      throw new InvalidOperationError(
        `op[${index}] is ${c === '{' ? 'an object' : 'an array'} ${EXPECTED_COMPONENT}`,
      );
    } else if (
      json.startsWith('true', this.pos) ||
      json.startsWith('false', this.pos) ||
      json.startsWith('null', this.pos)
    ) {
      const literal = json.startsWith('true', this.pos) ? 'true' : c === 'f' ? 'false' : 'null';
      throw new InvalidOperationError(`op[${index}] is ${literal} ${EXPECTED_COMPONENT}`);
    } else {
      throw this.malformed(`expected a number or a string for op[${index}]`);
    }
  }

  /**
   * @param {Builder} builder
   * @param {number} index
   */
  parseNumber(builder, index) {
    const start = this.pos;
    if (this.peek() === '-') {
      this.pos++;
    }
    const digitsStart = this.pos;
    if (this.peek() === '0') {
      this.pos++;
      if (isDigit(this.peek())) {
        throw this.malformed('a number must not have a leading zero');
      }
    } else if (isDigit(this.peek())) {
      while (isDigit(this.peek())) {
        this.pos++;
      }
    } else {
      throw this.malformed('expected a digit');
    }
    const digitsEnd = this.pos;
    let integral = true;
    if (this.peek() === '.') {
      this.pos++;
      this.requireDigits('after the decimal point');
      integral = false;
    }
    if (this.peek() === 'e' || this.peek() === 'E') {
      this.pos++;
      if (this.peek() === '+' || this.peek() === '-') {
        this.pos++;
      }
      this.requireDigits('in the exponent');
      integral = false;
    }
    const literal = this.json.slice(start, this.pos);
    if (!integral) {
      throw new InvalidOperationError(
        `op[${index}] is ${literal} (expected an integer without fraction or exponent)`,
      );
    }
    // More than 15 digits is out of range anyway; Infinity stands for it, exactly.
    const magnitude =
      digitsEnd - digitsStart <= 15 ? Number(this.json.slice(digitsStart, digitsEnd)) : Infinity;
    addCount(builder, index, start === digitsStart ? magnitude : -magnitude, literal);
  }

  /** @param {string} where */
  requireDigits(where) {
    if (!isDigit(this.peek())) {
      throw this.malformed(`expected a digit ${where}`);
    }
    while (isDigit(this.peek())) {
      this.pos++;
    }
  }

  parseString() {
    const json = this.json;
    this.pos++; // the opening quote
    let start = this.pos;
    let unescaped = '';
    for (;;) {
      if (this.pos >= json.length) {
        throw this.malformed('unterminated string');
      }
      const c = json.charCodeAt(this.pos);
      if (c === 0x22) {
        const text = unescaped + json.slice(start, this.pos);
        this.pos++;
        return text;
      }
      if (c < 0x20) {
        throw this.malformed(`control character U+${hex4(c)} must be escaped inside a string`);
      }
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      unescaped += json.slice(start, this.pos);
      this.pos++;
      if (this.pos >= json.length) {
        throw this.malformed('unterminated escape');
      }
      const escaped = json[this.pos++];
      switch (escaped) {
        case '"':
        case '\\':
        case '/':
          unescaped += escaped;
          break;
        case 'b':
          unescaped += '\b';
          break;
        case 'f':
          unescaped += '\f';
          break;
        case 'n':
          unescaped += '\n';
          break;
        case 'r':
          unescaped += '\r';
          break;
        case 't':
          unescaped += '\t';
          break;
        case 'u':
          unescaped += this.parseHex4();
          break;
        default:
          this.pos--;
          throw this.malformed(`invalid escape '\\${escaped}'`);
      }
      start = this.pos;
    }
  }

  parseHex4() {
    if (this.pos + 4 > this.json.length) {
      throw this.malformed('expected four hex digits after \\u');
    }
    const digits = this.json.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) {
      // point at the first character that is not a hex digit, as the Java parser does
      while (this.pos < this.json.length && /[0-9a-fA-F]/.test(this.json[this.pos])) {
        this.pos++;
      }
      throw this.malformed('expected four hex digits after \\u');
    }
    this.pos += 4;
    // surrogate halves combine, or are refused as lone, by the builder
    return String.fromCharCode(parseInt(digits, 16));
  }

  skipWhitespace() {
    while (this.pos < this.json.length) {
      const c = this.json[this.pos];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
        return;
      }
      this.pos++;
    }
  }

  peek() {
    return this.pos < this.json.length ? this.json[this.pos] : '\0';
  }

  /** @param {string} expectation */
  malformed(expectation) {
    const json = this.json;
    let found;
    if (this.pos >= json.length) {
      found = 'the end of input';
    } else if (json.charCodeAt(this.pos) < 0x20) {
      found = `U+${hex4(json.charCodeAt(this.pos))}`;
    } else {
      found = `'${json[this.pos]}'`;
    }
    return new InvalidOperationError(
      `malformed op JSON at offset ${this.pos}: ${expectation}, found ${found}`,
    );
  }
}

/** @param {string} c */
function isDigit(c) {
  return c >= '0' && c <= '9';
}

/** @param {number} unit */
function hex4(unit) {
  return unit.toString(16).toUpperCase().padStart(4, '0');
}
