// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, reactive } from 'vue'
import { buildDoc, toFormModel, type FieldDef, type FieldProblems } from '../records/fields'
import RecordFieldInput from './RecordFieldInput.vue'

const FIELDS: FieldDef[] = [
  { name: 'hostname', type: 'str', label: 'hostname', required: true },
  {
    name: 'os',
    type: 'obj',
    label: 'os',
    required: false,
    fields: [
      { name: 'base', type: 'enum', label: 'base', required: false, values: ['Linux', 'Windows'] },
      { name: 'version', type: 'str', label: 'version', required: false },
    ],
  },
  { name: 'ipv6', type: 'list', item: 'ip', label: 'ipv6', required: false },
  {
    name: 'tags',
    type: 'list',
    item: 'obj',
    label: 'tags',
    required: false,
    fields: [
      { name: 'key', type: 'str', label: 'key', required: true },
      { name: 'value', type: 'str', label: 'value', required: false },
    ],
  },
  { name: 'own', type: 'bool', label: 'own', required: false },
  { name: 'metas', type: 'json', label: 'metas', required: false },
]

/** The form's inputs over one model, as EntityFormPage renders them. */
function mountForm(problems: FieldProblems = {}) {
  const model = reactive(toFormModel(FIELDS))
  const Form = defineComponent(() => () =>
    h(
      'form',
      FIELDS.map((field) =>
        h(RecordFieldInput, { field, container: model, name: field.name, path: field.name, problems }),
      ),
    ),
  )
  return { wrapper: mount(Form), model }
}

describe('RecordFieldInput', () => {
  it('generates an input per field, a fieldset per object, and edits the model in place', async () => {
    const { wrapper, model } = mountForm()
    expect(wrapper.find('fieldset legend').text()).toBe('OS')
    await wrapper.find('[data-field=hostname]').setValue('web-1')
    await wrapper.find('[data-field="os.base"]').setValue('Linux')
    await wrapper.find('[data-field=own]').setValue(true)
    expect(wrapper.findAll('[data-field="os.base"] option').map((option) => option.text())).toEqual([
      '—',
      'Linux',
      'Windows',
    ])

    await wrapper.find('[data-add=ipv6]').trigger('click')
    await wrapper.find('[data-add=ipv6]').trigger('click')
    await wrapper.find('[data-field="ipv6.1"]').setValue('::1')
    await wrapper.find('[data-add=tags]').trigger('click')
    await wrapper.find('[data-field="tags.0.key"]').setValue('team')
    expect(buildDoc(FIELDS, model).doc).toEqual({
      hostname: 'web-1',
      os: { base: 'Linux' },
      ipv6: ['::1'],
      tags: [{ key: 'team' }],
    })

    await wrapper.find('[aria-label="Remove IPv6 1"]').trigger('click')
    expect(model.ipv6).toEqual(['::1'])
    expect(wrapper.find('[data-field="ipv6.0"]').element).toHaveProperty('value', '::1')
  })

  it('flags JSON that does not parse as it is typed', async () => {
    const { wrapper } = mountForm()
    await wrapper.find('[data-field=metas]').setValue('{"a": ')
    expect(wrapper.find('.record-input:has([data-field=metas]) [data-field-error]').text()).toBe(
      'Metas is not valid JSON',
    )
    await wrapper.find('[data-field=metas]').setValue('{"a": 1}')
    expect(wrapper.find('.record-input:has([data-field=metas]) [data-field-error]').exists()).toBe(false)
  })

  it("shows the server's problems under the input their dotted path names", () => {
    const { wrapper } = mountForm({ hostname: 'is required', 'os.base': 'must be one of Linux, Windows' })
    const errors = wrapper.findAll('[data-field-error]').map((error) => error.text())
    expect(errors).toEqual(['Hostname is required', 'Base must be one of Linux, Windows'])
    expect(wrapper.find('[data-field=hostname]').classes()).toContain('is-invalid')
  })
})
