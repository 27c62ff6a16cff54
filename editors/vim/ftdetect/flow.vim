" editors/vim/ftdetect/flow.vim - .flow files are flowc dataflows.
autocmd BufRead,BufNewFile *.flow setfiletype flow
