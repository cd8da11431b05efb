"""The official konfuzio-sdk against a running Lectern server; tests/tests/sdk.rs runs it.

Run it from an empty working directory (the SDK caches files there):
    KONFUZIO_HOST=http://127.0.0.1:8080 KONFUZIO_TOKEN=<token> PROJECT=<id> PDF=<a PDF with "9,50" in it> python scenario.py
The project needs a category (its first) with a label "Total". Prints "SDK SCENARIO OK" at the end.
"""
import os, logging
logging.basicConfig(level=logging.WARNING)
from konfuzio_sdk.data import Project, Document, Annotation, AnnotationSet, Span
from konfuzio_sdk.api import delete_document_annotation, change_document_annotation
P = int(os.environ['PROJECT']); PDF = os.environ['PDF']
project = Project(id_=P, update=True)
category = project.categories[0]
doc = Document.from_file(PDF, project=project, category_id=category.id_, sync=True)
print('uploaded', doc.id_, doc.status)
project = Project(id_=P, update=True)
doc = project.get_document_by_id(doc.id_)
text = doc.text
print('text', repr(text[:60]))
print('bbox chars', len(doc.get_bbox()))
assert doc.text.count('\f') == len(doc.pages()) - 1
page = doc.pages()[0]
img = page.get_image(update=True)
print('image', img.size)
print('annotations before', doc.annotations())
label = project.get_label_by_name('Total')
start = text.index('9,50')
ls = project.get_label_set_by_id(category.id_)
# The SDK itself cannot infer the set on a document without annotations (Document.annotation_sets() is None
# when every set the server lists is empty), so the set is made locally; the server infers it on save.
aset = AnnotationSet(document=doc, label_set=ls)
ann = Annotation(document=doc, label=label, annotation_set=aset, label_set=ls,
                 spans=[Span(start_offset=start, end_offset=start + 4)], is_correct=True, confidence=1.0)
ann.save()
print('saved', ann.id_)
project2 = Project(id_=P, update=True)
doc2 = project2.get_document_by_id(doc.id_)
doc2.update()
anns = doc2.annotations(use_correct=False)
print('reloaded', [(a.id_, a.offset_string, a.is_correct, a.revised) for a in anns])
saved = [a for a in anns if a.id_ == ann.id_]
assert len(saved) == 1 and saved[0].label.name == 'Total', saved
assert [(sp.start_offset, sp.end_offset) for sp in saved[0].spans] == [(start, start + 4)], saved[0].spans
assert doc2.text[start:start + 4] == '9,50'
change_document_annotation(ann.id_, revised=True, is_correct=True, session=project.session)
neg = delete_document_annotation(ann.id_, session=project.session)
print('soft deleted ->', neg)
assert neg == ann.id_
doc2.update()
a2 = [a for a in doc2.annotations(use_correct=False) if a.id_ == ann.id_][0]
assert not a2.is_correct and a2.revised, (a2.is_correct, a2.revised)
a2.delete(delete_online=True)
doc3 = Project(id_=P, update=True).get_document_by_id(doc.id_)
doc3.update()
left = [a.id_ for a in doc3.annotations(use_correct=False)]
print('deleted; left', left)
assert ann.id_ not in left, left
print('SDK SCENARIO OK')
