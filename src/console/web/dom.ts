/**
 * Building the page from data without an HTML parser: every text goes in as a text node, so participant messages
 * can never become markup (the page's Trusted Types policy would refuse innerHTML anyway).
 */

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  id?: string;
  /** data-* attributes (the browser tests select cells by them). */
  data?: Record<string, string>;
  /** Other attributes, set as given (aria-*, scope, type, for, hidden …). */
  attrs?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.id) element.id = props.id;
  for (const [key, value] of Object.entries(props.data ?? {})) element.dataset[key] = value;
  for (const [key, value] of Object.entries(props.attrs ?? {})) element.setAttribute(key, value);
  append(element, children);
  return element;
}

export function append(parent: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
}

/** The element with this id, of this type; a missing one is a bug in the page, so it throws. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing or not a ${type.name}`);
  return element;
}

export interface Column<T> {
  /** Header text. */
  label: string;
  /** The header's meaning in full, when `label` abbreviates it (shown as a tooltip, read by screen readers). */
  title?: string;
  /** data-col of the cells (tests read cells by it). */
  key: string;
  value: (row: T) => Child;
  numeric?: boolean;
}

/**
 * A table with a caption and column headers (`scope` set, so screen readers announce them with each cell), wrapped
 * so that it scrolls sideways on a narrow screen instead of widening the page.
 */
export function table<T>(
  caption: string,
  columns: Column<T>[],
  rows: T[],
  rowProps: (row: T) => Props = () => ({}),
): HTMLElement {
  const head = h(
    'tr',
    {},
    ...columns.map((column) =>
      h(
        'th',
        { attrs: { scope: 'col' }, class: column.numeric ? 'num' : undefined },
        column.title ? h('abbr', { attrs: { title: column.title } }, column.label) : column.label,
      ),
    ),
  );
  const body = rows.map((row) => {
    const props = rowProps(row);
    return h(
      'tr',
      props,
      ...columns.map((column, index) =>
        index === 0
          ? h('th', { attrs: { scope: 'row' }, data: { col: column.key } }, column.value(row))
          : h('td', { class: column.numeric ? 'num' : undefined, data: { col: column.key } }, column.value(row)),
      ),
    );
  });
  return h(
    'div',
    { class: 'table-wrap', attrs: { tabindex: '0', role: 'region', 'aria-label': caption } },
    h('table', {}, h('caption', {}, caption), h('thead', {}, head), h('tbody', {}, ...body)),
  );
}
