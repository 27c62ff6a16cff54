" editors/vim/syntax/flow.vim - syntax highlighting for flowc's .flow
" dataflow language (docs/language.md). Install: copy editors/vim/syntax
" and editors/vim/ftdetect into ~/.vim (or a plugin manager's directory).
if exists("b:current_syntax")
  finish
endif

syn keyword flowKeyword     flow record const fn extern let if then else with
syn keyword flowOperator    and or not in
syn keyword flowBoolean     true false
syn keyword flowConstant    none EOF ABORT
syn keyword flowType        int float bool string timestamp duration list set dict json WindowMetadata
" Bytewax's operators (compiler/steps.def), sources, sinks and clocks
syn keyword flowStep        input output map filter filter_map flat_map flatten inspect
syn keyword flowStep        branch merge key_on key_rm map_value filter_value
syn keyword flowStep        filter_map_value flat_map_value redistribute stateful_map
syn keyword flowStep        stateful_flat_map collect batch reduce_final fold_final
syn keyword flowStep        count_final max_final min_final stateful join
syn keyword flowStep        collect_window fold_window reduce_window count_window
syn keyword flowStep        max_window min_window join_window window
syn keyword flowStep        flat_map_batch inspect_debug raises stateful_batch enrich_cached
syn keyword flowSource      testing file stdout discard event_clock system_clock
syn keyword flowSource      tumbling sliding session
" built-in functions (compiler/builtins.def)
syn keyword flowBuiltin     str len abs min max floor ceil round sqrt lower upper trim
syn keyword flowBuiltin     split starts_with ends_with replace substr findall
syn keyword flowBuiltin     sum range now get remove keys values items add sorted
syn keyword flowBuiltin     format join strip lstrip rstrip zfill parse_json dumps
" `contains` is an argument word of :syn, so it cannot be a keyword
syn match   flowBuiltin     "\<contains\>"

syn match   flowComment     "#.*$" contains=flowTodo,@Spell
syn keyword flowTodo        TODO FIXME XXX contained
syn match   flowNumber      "\<\d\+\(\.\d\+\)\=\([eE][-+]\=\d\+\)\=\>"
syn match   flowDuration    "\<\d\+\(\.\d\+\)\=\(us\|ms\|s\|m\|h\|d\)\>"
syn match   flowTimestamp   "@\d\{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d\(\.\d\+\)\=\([Zz]\|[-+]\d\d:\d\d\)\="
syn match   flowEscape      contained "\\\([ntr0\\"']\|x\x\x\|u\x\{4}\|U\x\{8}\|u{\x\+}\)"
syn region  flowString      start=+"+ skip=+\\\\\|\\"+ end=+"+ contains=flowEscape,@Spell
syn region  flowFString     start=+\<f"+ skip=+\\\\\|\\"+ end=+"+ contains=flowEscape
syn region  flowFString     start=+\<f'+ skip=+\\\\\|\\'+ end=+'+ contains=flowEscape
syn region  flowRawString   start=+\<r"+ end=+"+
syn region  flowRawString   start=+\<r'+ end=+'+
syn match   flowLambda      "|[^|]*|"
syn match   flowArrow       "->"
syn match   flowStepId      "^\s*\zs\h\w*\ze\s*=[^=]"

hi def link flowKeyword     Keyword
hi def link flowOperator    Operator
hi def link flowBoolean     Boolean
hi def link flowConstant    Constant
hi def link flowType        Type
hi def link flowStep        Function
hi def link flowSource      Special
hi def link flowBuiltin     Function
hi def link flowComment     Comment
hi def link flowTodo        Todo
hi def link flowNumber      Number
hi def link flowDuration    Number
hi def link flowTimestamp   Constant
hi def link flowEscape      SpecialChar
hi def link flowString      String
hi def link flowFString     String
hi def link flowRawString   String
hi def link flowLambda      Identifier
hi def link flowArrow       Operator
hi def link flowStepId      Identifier

let b:current_syntax = "flow"
