// node tests/es3/check.js ACORN_DIR FILE... : each file must parse as
// ECMAScript 3 (what `acorn --ecma3` checks) and must not use a reserved
// word as a property name after a dot or as an object key, which ES5
// allows, acorn's ES3 mode lets through, and IE 8 rejects ("Expected
// identifier"). Prints one line per problem; exit 1 when there is one.
'use strict';
var path = require('path');
var fs = require('fs');
var acorn = require(path.resolve(process.argv[2], 'node_modules', 'acorn'));
var reserved = ('break case catch continue debugger default delete do else finally for function if in ' +
  'instanceof new return switch this throw try typeof var void while with class const enum export ' +
  'extends import super null true false abstract boolean byte char double final float goto implements ' +
  'int interface long native package private protected public short static synchronized throws ' +
  'transient volatile').split(' ');
var bad = 0;
process.argv.slice(3).forEach(function (file) {
  var src = fs.readFileSync(file, 'utf8');
  try {
    acorn.parse(src, { ecmaVersion: 3 });
  } catch (e) {
    console.log(file + ': not ECMAScript 3: ' + e.message);
    bad++;
    return;
  }
  var toks = [];
  for (var t of acorn.tokenizer(src, { ecmaVersion: 5 })) toks.push(t);
  for (var i = 0; i < toks.length; i++) {
    var word = toks[i].value;
    if (typeof word !== 'string' || reserved.indexOf(word) < 0) continue;
    var prev = toks[i - 1], next = toks[i + 1];
    var afterDot = prev && prev.type.label === '.';
    var isKey = prev && next && (prev.type.label === '{' || prev.type.label === ',') &&
      next.type.label === ':' && word !== 'default';
    if (afterDot || isKey) {
      var line = src.slice(0, toks[i].start).split('\n').length;
      console.log(file + ':' + line + ': reserved word "' + word + '" as a property name (IE 8 rejects it)');
      bad++;
    }
  }
});
process.exit(bad ? 1 : 0);
