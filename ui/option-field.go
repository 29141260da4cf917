package main

// InputType is the input's type, number by default.
func (c *OptionField) InputType() string {
	if c.Type == "" {
		return "number"
	}
	return c.Type
}

// MinAttr is the min attribute of a number field, if any.
func (c *OptionField) MinAttr() any {
	if c.Min == "" {
		return nil
	}
	return c.Min
}

// MaxAttr is the max attribute of a number field, if any.
func (c *OptionField) MaxAttr() any {
	if c.Max == "" {
		return nil
	}
	return c.Max
}

// StepAttr is the step attribute of a number field: any by default.
func (c *OptionField) StepAttr() any {
	switch {
	case c.InputType() != "number":
		return nil
	case c.Step == "":
		return "any"
	}
	return c.Step
}

// Invalid is aria-invalid when the value was refused.
func (c *OptionField) Invalid() any {
	if c.App.Tune.FieldErr[c.Name] != "" {
		return "true"
	}
	return nil
}
