select distinct subject from exam_results where exam = 'ЕГЭ' order by subject
